package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;

/**
 * The values that share one format in a SqueezeNet-like net: a fire module (squeeze, two expands concatenated,
 * max pooling) and a classifier head (convolution, ReLU, global average pooling).
 */
class FormatGroupsTest {

    private static final String NET = """
            name: "fire"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "squeeze" type: "Convolution" bottom: "data" top: "squeeze"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "squeeze_relu" type: "ReLU" bottom: "squeeze" top: "squeeze" }
            layer { name: "e1" type: "Convolution" bottom: "squeeze" top: "e1"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "e1_relu" type: "ReLU" bottom: "e1" top: "e1" }
            layer { name: "e3" type: "Convolution" bottom: "squeeze" top: "e3"
                    convolution_param { num_output: 2 kernel_size: 3 pad: 1 } }
            layer { name: "e3_relu" type: "ReLU" bottom: "e3" top: "e3" }
            layer { name: "concat" type: "Concat" bottom: "e1" bottom: "e3" top: "concat" }
            layer { name: "pool" type: "Pooling" bottom: "concat" top: "pool"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "head" type: "Convolution" bottom: "pool" top: "head"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "head_relu" type: "ReLU" bottom: "head" top: "head" }
            layer { name: "gap" type: "Pooling" bottom: "head" top: "gap" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "prob" type: "Softmax" bottom: "gap" top: "prob" }
            """;

    @Test
    void expandsShareTheirConcatsFormatAndTheHeadIsPooled() {
        Net net = NetLoader.build(TestWeights.definition(NET), null);
        FormatGroups xilinx = new FormatGroups(net, true);

        FormatGroups.Group squeeze = xilinx.of("squeeze");
        assertEquals(Set.of("squeeze"), squeeze.writers());
        assertEquals(Set.of("squeeze", "squeeze_relu"), squeeze.writingOut());
        assertEquals(Set.of("squeeze_relu", "e1", "e3"), squeeze.readingIn());
        assertNull(squeeze.pooledBy());

        FormatGroups.Group expand = xilinx.of("e3");
        assertEquals(Set.of("e1", "e3"), expand.writers());
        assertEquals(Set.of("e1", "e1_relu", "e3", "e3_relu", "concat", "pool"), expand.writingOut());
        assertEquals(Set.of("e1_relu", "e3_relu", "concat", "pool", "head"), expand.readingIn());
        assertEquals(expand, xilinx.of("e1"));

        // Xilinx: the pooling keeps its input's scale, so it is in the head's group; DynamicFixed: its own format.
        FormatGroups.Group head = xilinx.of("head");
        assertEquals("gap", head.pooledBy().name());
        assertEquals(Set.of("head", "head_relu", "gap"), head.writingOut());
        FormatGroups.Group dynamicFixed = new FormatGroups(net, false).of("head");
        assertEquals("gap", dynamicFixed.pooledBy().name());
        assertEquals(Set.of("head", "head_relu"), dynamicFixed.writingOut());
        assertEquals(Set.of("head_relu", "gap"), dynamicFixed.readingIn());
    }
}
