package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * The Caffe layers the unknown-type error names for a fork's layer compute what the fork's layer does, checked
 * against the fork's definition written as loops (nearest-neighbour upsampling, ShuffleNet's channel shuffle,
 * SENet's Axpy).
 */
class ForkLayerEquivalentsTest {

    private static final int C = 6;
    private static final int H = 3;
    private static final int W = 4;

    private static float[] input(long seed) {
        Random r = new Random(seed);
        float[] x = new float[C * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static float[] run(String layers, NetParameter weights, float[] x, String blob) {
        NetParameter definition = TestWeights.definition("name: \"e\"\nlayer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: " + C + " dim: " + H + " dim: " + W + " } } }\n" + layers);
        FloatEngine engine = new FloatEngine(NetLoader.build(definition, weights));
        return Tensors.floats(engine.forward(Tensors.of(x, 1, C, H, W)).get(blob));
    }

    @Test
    void upsampleIsADeconvolutionOfOnesWithAGroupPerChannel() {
        int s = 2;
        float[] ones = new float[C * s * s];
        Arrays.fill(ones, 1f);
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(TestWeights.layer("up", TestWeights.blob(new int[] {C, 1, s, s}, ones))).build();
        float[] x = input(1);
        float[] got = run("layer { name: \"up\" type: \"Deconvolution\" bottom: \"data\" top: \"up\" convolution_param {"
                + " num_output: " + C + " group: " + C + " kernel_size: " + s + " stride: " + s + " bias_term: false } }\n",
                weights, x, "up");
        float[] want = new float[C * H * s * W * s];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H * s; y++) {
                for (int u = 0; u < W * s; u++) {
                    want[(c * H * s + y) * W * s + u] = x[(c * H + y / s) * W + u / s];
                }
            }
        }
        assertArrayEquals(want, got);
    }

    @Test
    void shuffleChannelIsReshapePermuteReshape() {
        int g = 3;
        float[] x = input(2);
        float[] got = run("""
                layer { name: "r1" type: "Reshape" bottom: "data" top: "r1" reshape_param { shape { dim: 0 dim: %d dim: %d dim: -1 } } }
                layer { name: "p" type: "Permute" bottom: "r1" top: "p" permute_param { order: 0 order: 2 order: 1 order: 3 } }
                layer { name: "r2" type: "Reshape" bottom: "p" top: "out" reshape_param { shape { dim: 0 dim: %d dim: %d dim: %d } } }
                """.formatted(g, C / g, C, H, W), NetParameter.getDefaultInstance(), x, "out");
        // ShuffleNet: output channel k * g + i is input channel i * (C / g) + k
        float[] want = new float[x.length];
        for (int i = 0; i < g; i++) {
            for (int k = 0; k < C / g; k++) {
                System.arraycopy(x, (i * (C / g) + k) * H * W, want, (k * g + i) * H * W, H * W);
            }
        }
        assertArrayEquals(want, got);
    }

    @Test
    void axpyIsAFlattenAScaleOfTwoBottomsAndASum() {
        float[] x = input(3);
        // a: each channel's mean (a global average pooling, N x C x 1 x 1); y: x itself
        float[] got = run("""
                layer { name: "a" type: "Pooling" bottom: "data" top: "a" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "flat" type: "Flatten" bottom: "a" top: "flat" }
                layer { name: "ax" type: "Scale" bottom: "data" bottom: "flat" top: "ax" scale_param { axis: 0 } }
                layer { name: "sum" type: "Eltwise" bottom: "ax" bottom: "data" top: "out" }
                """, NetParameter.getDefaultInstance(), x, "out");
        float[] want = new float[x.length];
        for (int c = 0; c < C; c++) {
            double a = 0;
            for (int i = 0; i < H * W; i++) {
                a += x[c * H * W + i];
            }
            a /= H * W;
            for (int i = 0; i < H * W; i++) {
                want[c * H * W + i] = (float) (a * x[c * H * W + i] + x[c * H * W + i]);
            }
        }
        assertArrayEquals(want, got, 1e-6f);
    }
}
