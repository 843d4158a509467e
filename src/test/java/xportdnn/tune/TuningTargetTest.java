package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.FixedPointFormat;

/**
 * The device-input target ({@link TuningTarget#DEVICE_INPUT}): its moments, hand-computed and against a direct
 * nested-loop convolution, and a case where the float-output target changes a weight to make up for its input's
 * error and the device-input target keeps the rounding nearest the float weight.
 */
class TuningTargetTest {

    /** The device's input in place of the float input: E[x~ x'] and E[x x'] are E[x~ x~'], E[x] is E[x~]. */
    @Test
    void deviceInputMomentsByHand() {
        PatchStatistics.Moments m = new PatchStatistics.Moments(new double[] {3, 1, 1, 5}, new double[] {9, 8, 7, 6},
                new double[] {7, 2, 2, 7}, new double[] {1, 2}, new double[] {1.5, 1});
        PatchStatistics.Moments moved = m.onDeviceInput();
        assertArrayEquals(new double[] {3, 1, 1, 5}, moved.qq());
        assertArrayEquals(new double[] {3, 1, 1, 5}, moved.qx());
        assertArrayEquals(new double[] {3, 1, 1, 5}, moved.xx());
        assertArrayEquals(new double[] {1, 2}, moved.q());
        assertArrayEquals(new double[] {1, 2}, moved.x());
    }

    /**
     * One weight 1.6, step 1 (codes 1 or 2, plain rounding 2). The float input is -1 or 1, the device's adds an
     * independent -1 or 1: x~ in {-2, 0, 0, 2}, E[x~^2] = 2, E[x~ x] = 1, E[x^2] = 1, all means 0. Against the
     * float output, E[(1.6 x - q x~)^2] = (1.6 - q)^2 + q^2: 4.16 for q = 2, 1.36 for q = 1, so the fit shrinks
     * the weight to 1. Against the float weight on the device's input, E[(1.6 x~ - q x~)^2] = 2 (1.6 - q)^2: 0.32
     * for q = 2, 0.72 for q = 1, so it keeps 2. (The float weight 1.6f is not exactly 1.6: errors to 1e-6.)
     */
    @Test
    void onlyTheFloatOutputTargetMakesUpForTheInputsError() {
        PatchStatistics.Moments m = new PatchStatistics.Moments(new double[] {2}, new double[] {1}, new double[] {1},
                new double[] {0}, new double[] {0});
        FixedPointFormat output = new FixedPointFormat(8, 6);
        ChannelTuning.Result toFloat = tune(m, output);
        ChannelTuning.Result toDevice = tune(m.onDeviceInput(), output);
        assertArrayEquals(new int[] {1}, toFloat.codes());
        assertEquals(1.36, toFloat.errorTuned(), 1e-6);
        assertEquals(4.16, toFloat.errorPlain(), 1e-6);
        assertArrayEquals(new int[] {2}, toDevice.codes());
        assertEquals(0.32, toDevice.errorTuned(), 1e-6);
        assertEquals(0, toDevice.biasCode());
    }

    private static ChannelTuning.Result tune(PatchStatistics.Moments m, FixedPointFormat output) {
        ChannelTuning.Channel channel = ChannelTuning.Channel.of(ChannelTuning.Group.of(m), new float[] {1.6f}, 0f);
        return ChannelTuning.tune(channel, new int[] {2}, null, null, 1, -31, 31, output);
    }

    /**
     * With the device-input moments the tuning's errors are those of a direct convolution against w . x~ + b: the
     * float weights and bias on the device's input (padding 1); the error the report gives for the tuned codes is
     * that against the float output w . x + b.
     */
    @Test
    void deviceInputErrorsMatchADirectConvolution() {
        Random random = new Random(5);
        int c = 2, h = 4, w = 5, kh = 3, kw = 3, n = 2;
        ConvGeometry g = new ConvGeometry("conv", 1, c, 1, 1, new int[] {kh, kw}, new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1});
        float[] x = new float[n * c * h * w];
        float[] xq = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() + 0.5);
            xq[i] = Math.max(-0.5f, Math.min(1.5f, Math.round(x[i] * 4) / 4f)); // step 0.25, clipped
        }
        PatchStatistics stats = new PatchStatistics(g, new int[] {n, c, h, w}, 1000, 1);
        stats.add(x, xq, n);
        int k = c * kh * kw;
        double step = 0.1;
        float[] weights = new float[k];
        int[] plain = new int[k];
        for (int i = 0; i < k; i++) {
            weights[i] = (float) (random.nextGaussian() * 0.3);
            plain[i] = (int) Math.round(weights[i] / step);
        }
        float bias = 0.7f;
        FixedPointFormat output = new FixedPointFormat(8, 3);
        ChannelTuning.Result r = ChannelTuning.tune(ChannelTuning.Channel.of(
                ChannelTuning.Group.of(stats.moments(0).onDeviceInput()), weights, bias), plain, null, null, step,
                -127, 127, output);
        double plainBias = output.dequantize(output.quantize(bias, 0), 0);
        double tunedBias = output.dequantize(r.biasCode(), 0);
        // the device's input in place of the float input: the target w . x~ + b
        double errorPlain = PatchStatisticsTest.directError(xq, xq, weights, plain, step, bias - plainBias, n, c, h, w,
                kh, kw);
        assertEquals(errorPlain, r.errorPlain(), 1e-6 * errorPlain);
        assertEquals(PatchStatisticsTest.directError(xq, xq, weights, r.codes(), step, bias - tunedBias, n, c, h, w,
                kh, kw), r.errorTuned(), 1e-6 * errorPlain);
        // what the report gives for those codes: the error against the float output, from the float moments
        double againstFloat = PatchStatisticsTest.directError(x, xq, weights, r.codes(), step, bias - tunedBias, n, c,
                h, w, kh, kw);
        ChannelTuning.Channel toFloat = ChannelTuning.Channel.of(ChannelTuning.Group.of(stats.moments(0)), weights,
                bias);
        assertEquals(againstFloat, ChannelTuning.error(toFloat, r.codes(), step, tunedBias), 1e-6 * againstFloat);
    }
}
