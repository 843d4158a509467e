package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * close() frees the outputs the engine's ops keep from pass to pass (the arrays an observer is shown are those
 * outputs, or views of them), each op once though both plans hold it; a pass after it is refused, and closing
 * again does nothing.
 */
class FloatEngineCloseTest {

    /** A convolution, an in-place ReLU, a MAX pooling, two convolutions concatenated, an Eltwise, an InnerProduct. */
    private static final String NET = """
            name: "t"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 9 dim: 9 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "a" type: "Convolution" bottom: "pool" top: "a" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "b" type: "Convolution" bottom: "pool" top: "b" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "concat" type: "Concat" bottom: "a" bottom: "b" top: "concat" }
            layer { name: "sum" type: "Eltwise" bottom: "concat" bottom: "pool" top: "sum" }
            layer { name: "fc" type: "InnerProduct" bottom: "sum" top: "fc" inner_product_param { num_output: 3 } }
            """;

    @Test
    void closeFreesTheKeptOutputsAndRefusesAPassAfter() {
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 5));
        float[] input = new float[2 * 3 * 9 * 9];
        Random random = new Random(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        FloatEngine engine = new FloatEngine(net);
        engine.forward(input, 2, null); // the observer-free plan's ops: some are the observed plan's too
        Map<String, INDArray> kept = new LinkedHashMap<>();
        engine.forward(input, 2, (layer, tops) -> kept.put(layer.name(), tops.get(0)));
        List<String> keeping = List.of("conv", "pool", "a", "b", "concat", "sum", "fc");
        keeping.forEach(name -> assertFalse(kept.get(name).wasClosed(), name));
        engine.close();
        keeping.forEach(name -> assertTrue(kept.get(name).wasClosed(), name));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> engine.forward(input, 2, null));
        assertEquals("net 't': its float engine was closed", refused.getMessage());
        assertThrows(IllegalStateException.class, () -> engine.start(input, 2));
        engine.close();
    }
}
