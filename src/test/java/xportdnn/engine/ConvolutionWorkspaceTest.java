package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * The memory check before a pass counts, beside the layer outputs, what a convolution allocates besides its output
 * (ungrouped: a channels-last copy of its input). Only the estimate runs: nothing of this size is
 * allocated.
 */
class ConvolutionWorkspaceTest {

    /*
     * A 3 x 20000 x 20000 image through an 11 x 11, stride 4, 64-output convolution: output (20000 - 11) / 4 + 1
     * = 4998 square. Values: data 1,200,000,000; conv 64 x 4998^2 = 1,598,720,256 (6,394,881,024 bytes). Outputs
     * 2,798,720,256 values = 11,194,881,024 bytes; the convolution's workspace, a copy of its input, 4,800,000,000
     * bytes more: 15,994,881,024 bytes in all.
     */
    private static final String NET = """
            name: "wide"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 20000 dim: 20000 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 64 kernel_size: 11 stride: 4 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            """;

    private static FloatEngine engine() {
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 1));
        return new FloatEngine(net);
    }

    @Test
    void workspaceBeyondTheOutputsIsRefusedInWords() {
        // 15 GB holds the outputs (11.2 GB) but not with the workspace (16.0 GB)
        ModelException e = assertThrows(ModelException.class, () -> engine().requireMemory(1, 15_000_000_000L));
        assertEquals("layer 'conv': its output 1x64x4998x4998 (batch 1) needs 6.4 GB; all layer outputs need 11.2 GB "
                + "and their computation 4.8 GB more (copies, scratch), more than the 15.0 GB of native memory ND4J may "
                + "use (org.bytedeco.javacpp.maxBytes, by default -Xmx; with the xportdnn launcher, e.g. "
                + "XPORTDNN_JAVA_OPTS=-Xmx4g) (check the layer's pad/kernel/stride and the "
                + "input size, or use a smaller batch)", e.getMessage());
    }

    @Test
    void outputsAndWorkspaceWithinTheBudgetPass() {
        FloatEngine engine = engine();
        engine.requireMemory(1, 15_994_881_024L);
        assertThrows(ModelException.class, () -> engine.requireMemory(1, 15_994_881_023L));
    }
}
