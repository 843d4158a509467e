package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputMemory;
import xportdnn.model.TestWeights;

/** validate runs a batch too large for memory in smaller ones: the largest that fits. */
class FittingBatchTest {

    /** A 1x10x10 input and a 2-channel 1x1 convolution: 100 + 200 values, 1,200 bytes a image at 4 bytes each. */
    private static Net net() {
        String prototxt = """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 10 dim: 10 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """;
        return NetLoader.build(TestWeights.definition(prototxt),
                TestWeights.random(TestWeights.definition(prototxt), 1));
    }

    @Test
    void theLargestBatchUnderTheBudgetIsTaken() {
        Net net = net();
        assertTrue(OutputMemory.fits(net, 3, Float.BYTES, layer -> 0, 4000));
        assertFalse(OutputMemory.fits(net, 4, Float.BYTES, layer -> 0, 4000));
        assertEquals(3, ValidationPipeline.fittingBatch(8, b -> OutputMemory.fits(net, b, Float.BYTES, layer -> 0,
                4000)));
        assertEquals(8, ValidationPipeline.fittingBatch(8, b -> OutputMemory.fits(net, b, Float.BYTES, layer -> 0,
                1_000_000)));
        // not even one image: the batch asked for, which the run then refuses with the memory it needs
        assertEquals(8, ValidationPipeline.fittingBatch(8, b -> OutputMemory.fits(net, b, Float.BYTES, layer -> 0,
                1000)));
        assertEquals(1, ValidationPipeline.fittingBatch(100_000, b -> b == 1));
        assertEquals(99_999, ValidationPipeline.fittingBatch(100_000, b -> b < 100_000));
    }
}
