package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import xportdnn.engine.layers.PointwiseOverParts;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A pass without an observer leaves out each channel Concat that only a pointwise convolution reads
 * ({@link PointwiseOverParts}): its outputs are those of the pass that runs every layer, to float rounding.
 */
class ConcatFreePassTest {

    private static final String INPUT = """
            name: "t"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 9 dim: 9 } } }
            layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "relu_a" type: "ReLU" bottom: "a" top: "a" }
            layer { name: "b" type: "Convolution" bottom: "data" top: "b"
                    convolution_param { num_output: 7 kernel_size: 3 pad: 1 } }
            layer { name: "relu_b" type: "ReLU" bottom: "b" top: "b" }
            """;

    private static Net net(String layers) {
        NetParameter definition = TestWeights.definition(INPUT + layers);
        return NetLoader.build(definition, TestWeights.random(definition, 11));
    }

    /** The fire module's pattern; three parts, one of them the channels-first input; a squeeze without bias. */
    @ParameterizedTest
    @ValueSource(strings = {
        """
        layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat" }
        layer { name: "squeeze" type: "Convolution" bottom: "cat" top: "squeeze" convolution_param { num_output: 4 kernel_size: 1 } }
        layer { name: "relu_s" type: "ReLU" bottom: "squeeze" top: "squeeze" }
        """,
        """
        layer { name: "cat" type: "Concat" bottom: "b" bottom: "data" bottom: "a" top: "cat" concat_param { axis: -3 } }
        layer { name: "squeeze" type: "Convolution" bottom: "cat" top: "squeeze"
                convolution_param { num_output: 6 kernel_size: 1 bias_term: false } }
        """,
    })
    void theOutputsAreThoseOfEveryLayer(String layers) {
        Net net = net(layers);
        assertEquals(Map.of("cat", "squeeze"), PointwiseOverParts.fusable(net));
        FloatEngine engine = new FloatEngine(net);
        for (int batch : new int[] {1, 3}) {
            float[] input = ObservedPass.gaussian(batch, batch * 3 * 9 * 9);
            float[] every = ObservedPass.everyLayer(engine, Tensors.of(input, batch, 3, 9, 9), "squeeze");
            float[] concatFree = Tensors.floats(engine.forward(Tensors.of(input, batch, 3, 9, 9)).get("squeeze"));
            assertArrayEquals(every, concatFree, 1e-5f, "batch " + batch);
        }
    }

    /** A Concat along the height, before a 3x3, padded, strided or grouped 1x1, read twice or rewritten in place stays. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "concat_param { axis: 2 } | convolution_param { num_output: 4 kernel_size: 1 }",
        "| convolution_param { num_output: 4 kernel_size: 3 }",
        "| convolution_param { num_output: 4 kernel_size: 1 pad: 1 }",
        "| convolution_param { num_output: 4 kernel_size: 1 stride: 2 }",
        "| convolution_param { num_output: 4 kernel_size: 1 group: 2 }",
    })
    void otherConcatsStay(String concatParam, String convParam) {
        String concat = "layer { name: 'cat' type: 'Concat' bottom: 'a' bottom: 'a' top: 'cat' " + (concatParam == null ? "" : concatParam) + " }";
        String conv = "layer { name: 'c' type: 'Convolution' bottom: 'cat' top: 'c' " + convParam + " }";
        assertEquals(Map.of(), PointwiseOverParts.fusable(net((concat + conv).replace('\'', '"'))));
        String twoReaders = concat + "layer { name: 'c' type: 'Convolution' bottom: 'cat' top: 'c' convolution_param { num_output: 4 kernel_size: 1 } }"
                + "layer { name: 'p' type: 'Pooling' bottom: 'cat' top: 'p' pooling_param { pool: MAX kernel_size: 2 } }";
        assertEquals(Map.of(), PointwiseOverParts.fusable(net(twoReaders.replace('\'', '"'))));
        String rewrittenInPlace = "layer { name: 'cat' type: 'Concat' bottom: 'a' bottom: 'b' top: 'cat' }"
                + "layer { name: 'c' type: 'Convolution' bottom: 'cat' top: 'c' convolution_param { num_output: 4 kernel_size: 1 } }"
                + "layer { name: 'drop' type: 'Dropout' bottom: 'cat' top: 'cat' }";
        assertEquals(Map.of(), PointwiseOverParts.fusable(net(rewrittenInPlace.replace('\'', '"'))));
    }
}
