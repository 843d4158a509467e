package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/** A fully convolutional net run at other input sizes than its prototxt's, against a nested-loop convolution. */
class InputReshapeTest {

    /** data [1,2,4,5] -> 3x3 convolution, stride 2, pad 1, 3 outputs with bias -> in-place ReLU. */
    private static final String FCN = """
            name: "fcn"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 5 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 3 kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            """;

    private static Net net(String prototxt) {
        NetParameter definition = TestWeights.definition(prototxt);
        return NetLoader.build(definition, TestWeights.random(definition, 7));
    }

    /** relu(conv(x)) by the definition of Caffe's convolution: out size (in + 2 pad - 3) / 2 + 1. */
    private static float[] reference(Net net, float[] x, int h, int w) {
        float[] weights = net.layer("conv").weights().get(0).data();
        float[] bias = net.layer("conv").weights().get(1).data();
        int oh = (h + 2 - 3) / 2 + 1;
        int ow = (w + 2 - 3) / 2 + 1;
        float[] out = new float[3 * oh * ow];
        for (int o = 0; o < 3; o++) {
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    double sum = bias[o];
                    for (int c = 0; c < 2; c++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = 2 * y - 1 + ky;
                                int ix = 2 * xx - 1 + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    sum += weights[((o * 2 + c) * 3 + ky) * 3 + kx] * x[(c * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    out[(o * oh + y) * ow + xx] = (float) Math.max(0, sum);
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"4, 5", "7, 9", "2, 12"})
    void reshapedNetComputesTheConvolutionAtTheNewSize(int h, int w) {
        Net net = NetLoader.reshape(net(FCN), "data", new int[] {1, 2, h, w});
        assertArrayEquals(new int[] {1, 3, (h - 1) / 2 + 1, (w - 1) / 2 + 1}, net.shape("conv"));
        float[] x = randomInput(2 * h * w, h * 31L + w);
        float[] out = Tensors.floats(new FloatEngine(net).forward(x, 1, null).get("conv"));
        float[] expected = reference(net, x, h, w);
        assertEquals(expected.length, out.length);
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-5, "value " + i);
        }
    }

    private static float[] randomInput(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    @Test
    void innerProductWhoseInputSizeChangesIsRefusedNamingIt() {
        Net net = net(FCN + """
                layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 4 } }
                """);
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.reshape(net, "data", new int[] {1, 2, 8, 8}));
        assertTrue(e.getMessage().contains("layer 'fc' (InnerProduct)"), e.getMessage());
        assertTrue(e.getMessage().contains("not fully convolutional"), e.getMessage());
        // the same size is no change at all
        assertArrayEquals(new int[] {1, 4}, NetLoader.reshape(net, "data", new int[] {1, 2, 4, 5}).shape("fc"));
    }

    @Test
    void reshapeToFixedDimsIsRefusedSayingWhy() {
        Net net = net(FCN + """
                layer { name: "flat" type: "Reshape" bottom: "conv" top: "flat" reshape_param { shape { dim: 1 dim: 18 } } }
                """);
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.reshape(net, "data", new int[] {1, 2, 8, 8}));
        assertTrue(e.getMessage().startsWith("cannot run on input 'data' of shape 1x2x8x8 (the prototxt's is 1x2x4x5)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("flat"), e.getMessage());
    }
}
