package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.F8NetFormat;

/**
 * The simulator under F8Net blocks against F8Net's integer-only inference written as plain nested loops: codes
 * rounded half to even and clamped (signed +-127, unsigned 0..255), exact accumulation, the bias at the
 * accumulator's fractional length, a right shift rounding half to even, the ReLU as the unsigned clamp.
 */
class F8NetSimulationTest {

    /**
     * A 3x3 convolution (pad 1) with an in-place ReLU, then a 1x1 convolution: image signed Q.3, weights Q.2,
     * ReLU output unsigned Q.4 (shift 3 + 2 - 4 = 1, so every odd sum is a tie), then weights Q.3 and a signed Q.5
     * output (shift 4 + 3 - 5 = 2).
     */
    private static final String NET = """
            name: "f8"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 5 dim: 5 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 3 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 3 bw_params: 8 fl_params: 2 bw_layer_out: 8
                                      fl_layer_out: 4 quant_type: "F8Net" } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1"
                    precision_param { bw_layer_in: 8 fl_layer_in: 4 bw_layer_out: 8 fl_layer_out: 4
                                      quant_type: "F8Net" } }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 4 bw_params: 8 fl_params: 3 bw_layer_out: 8
                                      fl_layer_out: 5 quant_type: "F8Net" } }
            """;

    @Test
    void equalsTheNestedLoops() {
        Random random = new Random(14);
        float[] image = new float[2 * 5 * 5];
        for (int i = 0; i < image.length; i++) {
            image[i] = (random.nextInt(61) - 30) / 16f; // half steps of Q.3: ties in the input's rounding too
        }
        float[] w1 = halves(random, 3 * 2 * 9, 24, 8);
        float[] b1 = halves(random, 3, 40, 64);
        float[] w2 = halves(random, 2 * 3, 20, 16);
        float[] b2 = halves(random, 2, 40, 64);
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {3, 2, 3, 3}, w1), blob(new int[] {3}, b1)))
                .addLayer(layer("conv2", blob(new int[] {2, 3, 1, 1}, w2), blob(new int[] {2}, b2))).build();
        FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(NET, weights));
        assertEquals("F8Net", sim.quantType());
        assertEquals(new F8NetFormat(false, 4), sim.outputFormats().get("relu1"));
        Map<String, float[]> seen = new HashMap<>();
        sim.forward(image, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));

        Ties ties = new Ties();
        long[] x = codes(image, 3, true);
        long[] y1 = conv(x, 2, 5, codes(w1, 2, true), 3, 3, 1, b1, 3 + 2, 4, false, ties);
        long[] y2 = conv(y1, 3, 5, codes(w2, 3, true), 2, 1, 0, b2, 4 + 3, 5, true, ties);
        assertArrayEquals(values(y1, 4), seen.get("relu1"));
        assertArrayEquals(values(y2, 5), seen.get("conv2"));
        assertTrue(ties.count > 10, "the case exercises rounding half to even: " + ties.count + " ties");
        assertTrue(java.util.Arrays.stream(y1).anyMatch(v -> v == 255) && java.util.Arrays.stream(y1)
                .anyMatch(v -> v == 0), "the case exercises both clamps of the unsigned output");
    }

    /** A residual sum: the shortcut conv1 unsigned Q.2 (a ReLU after it), conv2 signed Q.3, the sum unsigned Q.2. */
    private static final String RESIDUAL = """
            name: "res"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 3 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 3 bw_params: 8 fl_params: 0 bw_layer_out: 8
                                      fl_layer_out: 2 quant_type: "F8Net" } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1"
                    precision_param { bw_layer_in: 8 fl_layer_in: 2 bw_layer_out: 8 fl_layer_out: 2
                                      quant_type: "F8Net" } }
            layer { name: "conv2" type: "Convolution" bottom: "data" top: "conv2"
                    convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 3 bw_params: 8 fl_params: 1 bw_layer_out: 8
                                      fl_layer_out: 3 quant_type: "F8Net" } }
            layer { name: "sum" type: "Eltwise" bottom: "conv1" bottom: "conv2" top: "sum"
                    precision_param { bw_layer_in: 8 fl_layer_in: 2 bw_layer_out: 8 fl_layer_out: 2
                                      quant_type: "F8Net" } }
            layer { name: "relu2" type: "ReLU" bottom: "sum" top: "sum"
                    precision_param { bw_layer_in: 8 fl_layer_in: 2 bw_layer_out: 8 fl_layer_out: 2
                                      quant_type: "F8Net" } }
            """;

    /**
     * The image 1.5, 0.5, -1 in Q.3: 12, 4, -8. conv1 (weight 1, Q.0 code 1): 12, 4, -8 shifted by 1 to Q.2 and
     * clamped unsigned: 6, 2, 0. conv2 (weight -0.5, Q.1 code -1): -12, -4, 8 with 4 fractional bits, shifted by 1
     * to Q.3: -6, -2, 4. The sum moves conv2 to Q.2 keeping its sign: -3, -1, 2; adds: 3, 1, 2 = 0.75, 0.25, 0.5
     * (float: 1.5 - 0.75, 0.5 - 0.25, 0 + 0.5). Saturating conv2 to the sum's unsigned codes before adding would give
     * 1.5, 0.5, 0.5.
     */
    @Test
    void aSignedInputOfAnUnsignedSumKeepsItsSign() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .addLayer(layer("conv2", blob(new int[] {1, 1, 1, 1}, -0.5f), blob(new int[] {1}, 0f))).build();
        FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(RESIDUAL, weights));
        Map<String, float[]> seen = new HashMap<>();
        sim.forward(new float[] {1.5f, 0.5f, -1f}, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));
        assertArrayEquals(new float[] {0.75f, 0.25f, 0.5f}, seen.get("relu2"));
    }

    /**
     * The same 3x3 convolution with an fl per output channel (th_params 127 * 2^-fl: fl 2, 5, -1), the ReLU output
     * unsigned Q.4: the accumulators have 5, 8 and 2 fractional bits, so channel 0 shifts right by 1, channel 1 by
     * 4 and channel 2 left by 2. Channel 1's weights are small (steps of 1/32), channel 2's large (steps of 2).
     */
    private static final String PER_CHANNEL = """
            name: "f8c"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 5 dim: 5 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 3 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 3 bw_params: 8 th_params: 31.75 th_params: 3.96875
                                      th_params: 254 bw_layer_out: 8 fl_layer_out: 4 quant_type: "F8Net" } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1"
                    precision_param { bw_layer_in: 8 fl_layer_in: 4 bw_layer_out: 8 fl_layer_out: 4
                                      quant_type: "F8Net" } }
            """;

    @Test
    void perChannelWeightsEqualTheNestedLoops() {
        Random random = new Random(15);
        float[] image = new float[2 * 5 * 5];
        for (int i = 0; i < image.length; i++) {
            image[i] = (random.nextInt(61) - 30) / 16f;
        }
        int[] weightFl = {2, 5, -1};
        float[] w1 = new float[3 * 2 * 9];
        for (int o = 0; o < 3; o++) { // channel o's values on a grid twice as fine as its codes: ties
            float[] part = halves(random, 2 * 9, 60, 1 << (weightFl[o] + 1));
            System.arraycopy(part, 0, w1, o * 18, 18);
        }
        w1[18] = 0.03125f * 200; // beyond channel 1's range: saturates at code 127
        float[] b1 = {0.3f, -0.05f, 1.7f};
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {3, 2, 3, 3}, w1), blob(new int[] {3}, b1))).build();
        FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(PER_CHANNEL, weights));
        Map<String, float[]> seen = new HashMap<>();
        sim.forward(image, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));

        Ties ties = new Ties();
        long[] x = codes(image, 3, true);
        long[] w = new long[w1.length];
        for (int o = 0; o < 3; o++) {
            long[] part = codes(java.util.Arrays.copyOfRange(w1, o * 18, (o + 1) * 18), weightFl[o], true);
            System.arraycopy(part, 0, w, o * 18, 18);
        }
        assertEquals(127, w[18]);
        long[] y = conv(x, 2, 5, w, 3, 3, 1, b1, new int[] {3 + 2, 3 + 5, 3 - 1}, 4, false, ties);
        assertArrayEquals(values(y, 4), seen.get("relu1"));
        assertTrue(ties.count > 5, "the case exercises rounding half to even: " + ties.count + " ties");
        assertTrue(java.util.Arrays.stream(y).anyMatch(v -> v == 255) && java.util.Arrays.stream(y)
                .anyMatch(v -> v == 0), "the case exercises both clamps of the unsigned output");
    }

    /**
     * A residual block as F8Net's reference runs it: the stem conv0 (fl_w 2 and 4 per channel, the image in Q.3)
     * writes a 32-bit accumulator at fl 3 + 4 = 7 (channel 0's, at 5, shifted left by 2), rectified in place;
     * conv1 reads it shifted into unsigned Q.4 (by 3, half to even, clamped at 255); conv2 (fl_w 3 and 5) writes a
     * signed 32-bit accumulator at fl 4 + 5 = 9; the sum holds conv0's (shifted left by 2) plus conv2's at fl 9,
     * rectified in place, and conv3 reads it shifted into unsigned Q.3 (by 6).
     */
    private static final String ACCUMULATORS = """
            name: "acc"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
            layer { name: "conv0" type: "Convolution" bottom: "data" top: "conv0"
                    convolution_param { num_output: 2 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 3 bw_params: 8 th_params: 31.75 th_params: 7.9375
                                      bw_layer_out: 32 fl_layer_out: 7 quant_type: "F8Net" } }
            layer { name: "relu0" type: "ReLU" bottom: "conv0" top: "conv0"
                    precision_param { bw_layer_in: 32 fl_layer_in: 7 bw_layer_out: 32 fl_layer_out: 7
                                      quant_type: "F8Net" } }
            layer { name: "conv1" type: "Convolution" bottom: "conv0" top: "conv1"
                    convolution_param { num_output: 2 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 4 bw_params: 8 fl_params: 3 bw_layer_out: 8
                                      fl_layer_out: 4 quant_type: "F8Net" } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1"
                    precision_param { bw_layer_in: 8 fl_layer_in: 4 bw_layer_out: 8 fl_layer_out: 4
                                      quant_type: "F8Net" } }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 4 bw_params: 8 th_params: 15.875
                                      th_params: 3.96875 bw_layer_out: 32 fl_layer_out: 9 quant_type: "F8Net" } }
            layer { name: "sum" type: "Eltwise" bottom: "conv0" bottom: "conv2" top: "sum"
                    precision_param { bw_layer_in: 32 fl_layer_in: 7 bw_layer_out: 32 fl_layer_out: 9
                                      quant_type: "F8Net" } }
            layer { name: "relu2" type: "ReLU" bottom: "sum" top: "sum"
                    precision_param { bw_layer_in: 32 fl_layer_in: 9 bw_layer_out: 32 fl_layer_out: 9
                                      quant_type: "F8Net" } }
            layer { name: "conv3" type: "Convolution" bottom: "sum" top: "conv3"
                    convolution_param { num_output: 2 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 fl_layer_in: 3 bw_params: 8 fl_params: 3 bw_layer_out: 8
                                      fl_layer_out: 5 quant_type: "F8Net" } }
            """;

    @Test
    void residualAccumulatorsEqualTheNestedLoops() {
        Random random = new Random(16);
        float[] image = new float[2 * 4 * 4];
        for (int i = 0; i < image.length; i++) {
            image[i] = (random.nextInt(61) - 30) / 16f;
        }
        float[] w0 = concat(halves(random, 18, 8, 8), halves(random, 18, 30, 32));
        float[] w1 = halves(random, 36, 12, 16);
        float[] w2 = concat(halves(random, 18, 12, 16), halves(random, 18, 40, 64));
        float[] w3 = halves(random, 4, 12, 16);
        float[] b0 = {14.3f, -0.05f};
        float[] b1 = {0.2f, 0.4f};
        float[] b2 = {-0.7f, 0.011f};
        float[] b3 = {0.1f, -0.3f};
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv0", blob(new int[] {2, 2, 3, 3}, w0), blob(new int[] {2}, b0)))
                .addLayer(layer("conv1", blob(new int[] {2, 2, 3, 3}, w1), blob(new int[] {2}, b1)))
                .addLayer(layer("conv2", blob(new int[] {2, 2, 3, 3}, w2), blob(new int[] {2}, b2)))
                .addLayer(layer("conv3", blob(new int[] {2, 2, 1, 1}, w3), blob(new int[] {2}, b3))).build();
        FixedPointNet sim = new FixedPointNet(FixedPointNetTest.net(ACCUMULATORS, weights));
        assertEquals(F8NetFormat.wide(false, 9), sim.outputFormats().get("relu2"));
        // the notes say what F8Net does with the accumulators conv1, the sum and conv3 read (checked below)
        assertEquals(List.of(
                "layer 'conv1' declares its input as F8Net unsigned fl 4 but 'conv0' holds F8Net unsigned 32-bit fl 7: "
                        + "F8Net shifts the 32-bit accumulator into its 8-bit input format (rounding half to even, "
                        + "saturating), as the simulator does",
                "layer 'sum' declares its input as F8Net unsigned 32-bit fl 7 but 'conv2' holds F8Net signed 32-bit "
                        + "fl 9: F8Net moves every input of the Eltwise onto its output format, as the simulator does",
                "layer 'conv3' declares its input as F8Net unsigned fl 3 but 'sum' holds F8Net unsigned 32-bit fl 9: "
                        + "F8Net shifts the 32-bit accumulator into its 8-bit input format (rounding half to even, "
                        + "saturating), as the simulator does"),
                sim.notes());
        Map<String, float[]> seen = new HashMap<>();
        sim.forward(image, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));

        Ties ties = new Ties();
        long wideMax = Integer.MAX_VALUE;
        long[] x = codes(image, 3, true);
        long[] y0 = conv(x, 2, 4, concat(codes(copy(w0, 0, 18), 2, true), codes(copy(w0, 18, 36), 4, true)), 2, 3,
                1, b0, new int[] {3 + 2, 3 + 4}, 7, 0, wideMax, ties);
        long[] y1 = conv(shift(y0, 3, 0, 255, ties), 2, 4, codes(w1, 3, true), 2, 3, 1, b1, new int[] {4 + 3, 4 + 3},
                4, 0, 255, ties);
        long[] y2 = conv(y1, 2, 4, concat(codes(copy(w2, 0, 18), 3, true), codes(copy(w2, 18, 36), 5, true)), 2, 3,
                1, b2, new int[] {4 + 3, 4 + 5}, 9, -wideMax, wideMax, ties);
        long[] sum = new long[y2.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = Math.max(0, (y0[i] << 2) + y2[i]);
        }
        long[] y3 = conv(shift(sum, 6, 0, 255, ties), 2, 4, codes(w3, 3, true), 2, 1, 0, b3, new int[] {3 + 3, 3 + 3},
                5, -127, 127, ties);
        assertArrayEquals(values(y0, 7), seen.get("relu0"));
        assertArrayEquals(values(y2, 9), seen.get("conv2"));
        assertArrayEquals(values(sum, 9), seen.get("relu2"));
        assertArrayEquals(values(y3, 5), seen.get("conv3"));
        assertTrue(java.util.Arrays.stream(y0).anyMatch(v -> v > 255 << 3),
                "the stem's accumulator exceeds conv1's 8-bit input: the shift into it saturates");
        assertTrue(java.util.Arrays.stream(y2).anyMatch(v -> v < 0) && java.util.Arrays.stream(sum)
                .anyMatch(v -> v % 64 != 0), "the sum holds negative branch values and bits the 8-bit input drops");
        assertTrue(ties.count > 3, "the case exercises rounding half to even: " + ties.count + " ties");
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] copy(float[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    /** Codes moved to a format with {@code s} fewer fractional bits: half to even, clamped to lo..hi. */
    private static long[] shift(long[] codes, int s, long lo, long hi, Ties ties) {
        long[] out = new long[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = Math.max(lo, Math.min(hi, shiftHalfEven(codes[i], s, ties)));
        }
        return out;
    }

    /**
     * A per-channel weight range off the F8Net grid (250 is not 127 * 2^-fl) or one range too few is refused,
     * naming the layer.
     */
    @Test
    void perChannelRangesOffTheGridAreRefused() {
        NetParameter weights = NetParameter.newBuilder().addLayer(layer("conv1",
                blob(new int[] {3, 2, 3, 3}, new float[54]), blob(new int[] {3}, 0f, 0f, 0f))).build();
        ModelException off = assertThrows(ModelException.class, () -> new FixedPointNet(FixedPointNetTest.net(
                PER_CHANNEL.replace("th_params: 254", "th_params: 250"), weights)));
        assertTrue(off.getMessage().contains("conv1") && off.getMessage().contains("th_params 250.0 (channel 2)"),
                off.getMessage());
        ModelException few = assertThrows(ModelException.class, () -> new FixedPointNet(FixedPointNetTest.net(
                PER_CHANNEL.replace("th_params: 254", ""), weights)));
        assertTrue(few.getMessage().contains("conv1") && few.getMessage().contains("2 th_params for 3 output"),
                few.getMessage());
    }

    /** n values k / denominator with k uniform in [-range, range]. */
    private static float[] halves(Random random, int n, int range, int denominator) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (random.nextInt(2 * range + 1) - range) / (float) denominator;
        }
        return v;
    }

    private static final class Ties {
        int count;
    }

    /** Math.rint(x * 2^fl) (half to even) clamped to the code range. */
    private static long[] codes(float[] values, int fl, boolean signed) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = clamp((long) Math.rint(values[i] * Math.pow(2, fl)), signed);
        }
        return out;
    }

    private static long clamp(long v, boolean signed) {
        return signed ? Math.max(-127, Math.min(127, v)) : Math.max(0, Math.min(255, v));
    }

    /** num / 2^s rounded half to even, from the floor quotient and the remainder. */
    private static long shiftHalfEven(long num, int s, Ties ties) {
        long d = 1L << s;
        long q = Math.floorDiv(num, d);
        long twice = 2 * Math.floorMod(num, d);
        if (twice == d) {
            ties.count++;
        }
        return twice > d || (twice == d && (q & 1) == 1) ? q + 1 : q;
    }

    /** A square convolution, stride 1, on one image of {@code c} channels of {@code size x size}. */
    private static long[] conv(long[] x, int c, int size, long[] w, int outChannels, int k, int pad, float[] bias,
            int accumulatorFl, int outFl, boolean signed, Ties ties) {
        int[] perChannel = new int[outChannels];
        java.util.Arrays.fill(perChannel, accumulatorFl);
        return conv(x, c, size, w, outChannels, k, pad, bias, perChannel, outFl, signed, ties);
    }

    /** The same with an accumulator fl per output channel (fl_in + that channel's weight fl). */
    private static long[] conv(long[] x, int c, int size, long[] w, int outChannels, int k, int pad, float[] bias,
            int[] accumulatorFls, int outFl, boolean signed, Ties ties) {
        return conv(x, c, size, w, outChannels, k, pad, bias, accumulatorFls, outFl, signed ? -127 : 0,
                signed ? 127 : 255, ties);
    }

    /** The same with the output codes clamped to lo..hi (an 8-bit format's, or a 32-bit accumulator's). */
    private static long[] conv(long[] x, int c, int size, long[] w, int outChannels, int k, int pad, float[] bias,
            int[] accumulatorFls, int outFl, long lo, long hi, Ties ties) {
        long[] y = new long[outChannels * size * size];
        for (int o = 0; o < outChannels; o++) {
            int accumulatorFl = accumulatorFls[o];
            long b = (long) Math.rint(bias[o] * Math.pow(2, accumulatorFl));
            for (int r = 0; r < size; r++) {
                for (int col = 0; col < size; col++) {
                    long acc = b;
                    for (int i = 0; i < c; i++) {
                        for (int dr = 0; dr < k; dr++) {
                            for (int dc = 0; dc < k; dc++) {
                                int rr = r + dr - pad;
                                int cc = col + dc - pad;
                                if (rr >= 0 && rr < size && cc >= 0 && cc < size) {
                                    acc += x[(i * size + rr) * size + cc] * w[((o * c + i) * k + dr) * k + dc];
                                }
                            }
                        }
                    }
                    int s = accumulatorFl - outFl;
                    long shifted = s >= 0 ? shiftHalfEven(acc, s, ties) : acc << -s;
                    y[(o * size + r) * size + col] = Math.max(lo, Math.min(hi, shifted));
                }
            }
        }
        return y;
    }

    private static float[] values(long[] codes, int fl) {
        float[] v = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            v[i] = (float) (codes[i] / Math.pow(2, fl));
        }
        return v;
    }
}
