package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.BlockFloatScheme;

/**
 * Block floating point with an exponent per activation channel, against a case computed by hand. 8-bit mantissas:
 * exponent e means step 2^(e-6). The image's channels have exponents 0 and 2 (steps 1/64 and 1/16), conv1's
 * outputs 1 and -1 (1/32, 1/128), the global average pooling's outputs 0 and -3 (1/64, 1/512).
 */
class BlockFloatChannelsTest {

    private static final String NET = """
            name: "bfp"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 1 dim: 2 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 2 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 th_layer_in: 1.984375 bw_params: 8
                                      th_params: 1.984375 th_params: 0.9921875 bw_layer_out: 8
                                      th_layer_out: 3.96875 quant_type: "Xilinx" } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1"
                    precision_param { bw_layer_in: 8 th_layer_in: 3.96875 bw_layer_out: 8 th_layer_out: 3.96875
                                      quant_type: "Xilinx" } }
            layer { name: "pool" type: "Pooling" bottom: "conv1" top: "pool"
                    pooling_param { pool: AVE kernel_h: 1 kernel_w: 2 }
                    precision_param { bw_layer_in: 8 th_layer_in: 3.96875 bw_layer_out: 8 th_layer_out: 3.96875
                                      quant_type: "Xilinx" } }
            """;

    private static final String JOINS = """
            name: "joins"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 1 dim: 1 } } }
            layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 th_layer_in: 1 bw_params: 8 th_params: 1.984375 bw_layer_out: 8
                                      th_layer_out: 1 quant_type: "Xilinx" } }
            layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 th_layer_in: 1 bw_params: 8 th_params: 1.984375 bw_layer_out: 8
                                      th_layer_out: 1 quant_type: "Xilinx" } }
            layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat"
                    precision_param { bw_layer_in: 8 th_layer_in: 1 bw_layer_out: 8 th_layer_out: 1
                                      quant_type: "Xilinx" } }
            layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum"
                    precision_param { bw_layer_in: 8 th_layer_in: 1 bw_layer_out: 8 th_layer_out: 1
                                      quant_type: "Xilinx" } }
            """;

    private static final NetParameter JOINS_WEIGHTS = NetParameter.newBuilder()
            .addLayer(layer("a", blob(new int[] {1, 2, 1, 1}, 1f, 0f), blob(new int[] {1}, 0f)))
            .addLayer(layer("b", blob(new int[] {1, 2, 1, 1}, 0f, 1f), blob(new int[] {1}, 0f))).build();

    /**
     * Image: channel 0 (0.5, -0.25), codes 32, -16 at 1/64; channel 1 (1.0, 0.75), codes 16, 12 at 1/16.
     * Weights (exponents 0 and -1 per output channel): output 0 (1, 0.5), codes 64, 32 at 1/64, bias 0.125;
     * output 1 (-0.5, 0.25), codes -64, 32 at 1/128, bias 0. In real numbers: output 0 = 0.5 + 0.5 + 0.125 = 1.125
     * and -0.25 + 0.375 + 0.125 = 0.25, codes 36 and 8 at 1/32; output 1 = -0.25 + 0.25 = 0 and 0.125 + 0.1875 =
     * 0.3125, codes 0 and 40 at 1/128. The device aligns input channel 1 to the finest step, 1/64 (x4): weight codes
     * (64, 128) and (-64, 128), accumulators 64 x 32 + 128 x 16 = 4,096 (units 1/4,096: 1.0) and so on.
     * Pooling (the kernel's area 2: scale 32,768): channel 0 sums 44, shift 16 - (1 - 0) = 15: code 44 at 1/64,
     * 0.6875; channel 1 sums 40, shift 16 - (-1 + 3) = 14: code 80 at 1/512, 0.15625.
     */
    @Test
    void convolutionAndPoolingMatchTheHandCase() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 2, 1, 1}, 1f, 0.5f, -0.5f, 0.25f),
                        blob(new int[] {2}, 0.125f, 0f))).build();
        Map<String, int[]> exponents = Map.of("data", new int[] {0, 2}, "conv1", new int[] {1, -1},
                "pool", new int[] {0, -3});
        FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(NET, weights), new BlockFloatScheme(exponents, Map.of()));
        Map<String, float[]> seen = new HashMap<>();
        sim.forward(new float[] {0.5f, -0.25f, 1f, 0.75f}, 1, (l, tops) -> seen.put(l.name(),
                Tensors.floats(tops.get(0))));
        assertArrayEquals(new float[] {1.125f, 0.25f, 0f, 0.3125f}, seen.get("relu1"));
        assertArrayEquals(new float[] {0.6875f, 0.15625f}, seen.get("pool"));
        assertEquals(2, sim.blobFormats().get("conv1").channels());
    }

    /**
     * Guard bits after the pooling: exponents 2 above, as many more mantissa bits, the same step. The pooled output
     * of channel 0 is 0.6875 (above): with exponent -3 at 8 bits (step 1/512, at most 127/512) its code 352 wraps
     * around; with exponent -1 at 10 bits (step 1/512 too, at most 511/512) it holds: the sum 44 at 1/32 shifts by
     * 16 - ((1 - 8) - (-1 - 10)) = 12, 44 x 32,768 >> 12 = 352. Channel 1 sums 40 at 1/128: >> 14, code 80, 0.15625.
     */
    @Test
    void guardBitsKeepAPooledValueBeyondItsCalibratedRange() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 2, 1, 1}, 1f, 0.5f, -0.5f, 0.25f),
                        blob(new int[] {2}, 0.125f, 0f))).build();
        float[] image = {0.5f, -0.25f, 1f, 0.75f};
        for (boolean guarded : new boolean[] {false, true}) {
            int e = guarded ? -1 : -3;
            Map<String, int[]> exponents = Map.of("data", new int[] {0, 2}, "conv1", new int[] {1, -1},
                    "pool", new int[] {e, e});
            FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(NET, weights),
                    new BlockFloatScheme(exponents, guarded ? Map.of("pool", 2) : Map.of()));
            Map<String, float[]> seen = new HashMap<>();
            sim.forward(image, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));
            if (guarded) {
                assertArrayEquals(new float[] {0.6875f, 0.15625f}, seen.get("pool"));
                assertEquals(10, sim.blobFormats().get("pool").bitwidth());
            } else {
                assertNotEquals(0.6875f, seen.get("pool")[0]);
            }
        }
    }

    /**
     * A Concat of two per-channel blobs keeps each input's exponents (no code moves), and an Eltwise moves each
     * channel of an input into its output's exponent: 0.75 at 1/64 (code 48) plus 0.5 at 1/16 (code 8) into an
     * output at 1/32: 24 + 16 = 40, 1.25.
     */
    @Test
    void concatKeepsAndEltwiseAlignsChannels() {
        Map<String, int[]> exponents = Map.of("data", new int[] {0, 2}, "a", new int[] {0}, "b", new int[] {2},
                "cat", new int[] {0, 2}, "sum", new int[] {1});
        FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(JOINS, JOINS_WEIGHTS),
                new BlockFloatScheme(exponents, Map.of()));
        Map<String, float[]> seen = new HashMap<>();
        sim.forward(new float[] {0.75f, 0.5f}, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));
        assertArrayEquals(new float[] {0.75f, 0.5f}, seen.get("cat"));
        assertArrayEquals(new float[] {1.25f}, seen.get("sum"));
    }

    /**
     * The residual stream keeps 2 more mantissa bits with the same exponents. Image channel 0 holds 0.7578125 =
     * 97/128 (exponent -1, step 1/128), channel 1 0.5 (exponent 2, step 1/16, code 8); a copies channel 0 and b
     * channel 1. With 8-bit mantissas everywhere the sum (exponent 1, step 1/32) gets 97 / 4 = 24.25 -> 24 plus
     * 8 x 2 = 16: 40, 1.25. With a, b and the sum in the stream (10 bits: steps 2^(e-8)): a = 388 at 1/512, b = 32
     * at 1/64, the sum at 1/128: 97 + 64 = 161, 1.2578125, the exact sum.
     */
    @Test
    void theResidualStreamKeepsTwoMoreMantissaBits() {
        Map<String, int[]> exponents = Map.of("data", new int[] {-1, 2}, "a", new int[] {-1}, "b", new int[] {2},
                "cat", new int[] {-1, 2}, "sum", new int[] {1});
        float[] image = {0.7578125f, 0.5f};
        for (boolean wide : new boolean[] {false, true}) {
            FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(JOINS, JOINS_WEIGHTS),
                    new BlockFloatScheme(exponents, wide ? Map.of("a", 2, "b", 2, "sum", 2) : Map.of()));
            Map<String, float[]> seen = new HashMap<>();
            sim.forward(image, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));
            assertArrayEquals(new float[] {wide ? 1.2578125f : 1.25f}, seen.get("sum"));
            assertEquals(wide ? 10 : 8, sim.blobFormats().get("sum").bitwidth());
            assertEquals(wide ? 10 : 8, sim.blobFormats().get("a").bitwidth());
        }
    }
}
