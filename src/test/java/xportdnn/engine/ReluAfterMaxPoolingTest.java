package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A pass without an observer runs an in-place ReLU after the MAX pooling that alone reads its blob: the same
 * outputs, to the bit (the largest rectified value of a window is the rectified largest value).
 */
class ReluAfterMaxPoolingTest {

    private static final String CONV = """
            name: "t"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 11 dim: 11 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 6 kernel_size: 3 } }
            """;
    private static final String RELU = """
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            """;
    private static final String POOL_AND_CLASSIFIER = """
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 4 } }
            """;

    private static Net net(String prototxt) {
        NetParameter definition = TestWeights.definition(prototxt);
        return NetLoader.build(definition, TestWeights.random(definition, 7));
    }

    @Test
    void theOutputsAreThoseOfEveryLayerToTheBit() {
        Net net = net(CONV + RELU + POOL_AND_CLASSIFIER);
        assertEquals(Map.of("relu", "pool"), ReluAfterMaxPooling.find(net));
        FloatEngine engine = new FloatEngine(net);
        for (int batch : new int[] {1, 3}) {
            float[] input = ObservedPass.gaussian(batch, batch * 3 * 11 * 11);
            float[] every = ObservedPass.everyLayer(engine, Tensors.of(input, batch, 3, 11, 11), "fc");
            float[] moved = Tensors.floats(engine.forward(Tensors.of(input, batch, 3, 11, 11)).get("fc"));
            assertArrayEquals(every, moved, "batch " + batch);
        }
    }

    /** A leaky ReLU, an average pooling, a second reader, a ReLU the net returns: each stays where it is. */
    @ParameterizedTest
    @ValueSource(strings = {
        "layer { name: 'relu' type: 'ReLU' bottom: 'conv' top: 'conv' relu_param { negative_slope: 0.1 } }"
                + "layer { name: 'pool' type: 'Pooling' bottom: 'conv' top: 'pool' pooling_param { pool: MAX kernel_size: 2 } }",
        "layer { name: 'relu' type: 'ReLU' bottom: 'conv' top: 'conv' }"
                + "layer { name: 'pool' type: 'Pooling' bottom: 'conv' top: 'pool' pooling_param { pool: AVE kernel_size: 2 } }",
        "layer { name: 'relu' type: 'ReLU' bottom: 'conv' top: 'conv' }"
                + "layer { name: 'pool' type: 'Pooling' bottom: 'conv' top: 'pool' pooling_param { pool: MAX kernel_size: 2 } }"
                + "layer { name: 'other' type: 'Pooling' bottom: 'conv' top: 'other' pooling_param { pool: MAX kernel_size: 3 } }",
        "layer { name: 'relu' type: 'ReLU' bottom: 'conv' top: 'conv' }",
    })
    void otherReLUsStay(String layers) {
        assertEquals(Map.of(), ReluAfterMaxPooling.find(net(CONV + layers.replace('\'', '"'))));
    }
}
