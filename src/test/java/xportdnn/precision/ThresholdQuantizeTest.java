package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bulk quantization of a one-threshold {@link ThresholdFormat} (clipped by comparisons) against the
 * straightforward computation, value by value: clip to +-th with Math.min/max, divide by the step in float32,
 * round half away from zero, saturate; and against the single-value method. Inputs: every 8-bit pixel after several means and scales, every float
 * within 64 ulps of each code's rounding boundaries and of the threshold, the special values, and random floats
 * (random bit patterns, so every exponent and NaN, and values on the codes' scale).
 */
class ThresholdQuantizeTest {

    private static final int[] BITWIDTHS = {2, 3, 4, 6, 8, 10};
    private static final float[] THRESHOLDS = {1f, 0.3f, 127f, 151.99f, 255f, 1e-3f, 7.0e-30f, 1.5e30f, 3.0e38f};

    /** The straightforward code of x. */
    private static int reference(float x, ThresholdFormat format) {
        float th = format.threshold(0);
        float step = (float) format.step(0);
        double q = Math.max(-th, Math.min(th, x)) / step; // a float32 division, as the runtime's
        int r = (int) (q + Math.copySign(0.5, q));
        return Math.max(format.minCode(), Math.min(format.maxCode(), r));
    }

    @Test
    void bulkCodesEqualTheStraightforwardOnes() {
        Random random = new Random(13);
        for (int bitwidth : BITWIDTHS) {
            for (float th : THRESHOLDS) {
                ThresholdFormat format = new ThresholdFormat(bitwidth, th);
                float[] values = probes(format, random);
                int[] codes = format.quantize(values, values.length);
                for (int i = 0; i < values.length; i++) {
                    int expected = reference(values[i], format);
                    if (codes[i] != expected) {
                        fail(format + ": x = " + values[i] + " (bits "
                                + Integer.toHexString(Float.floatToRawIntBits(values[i])) + ") gives " + codes[i]
                                + ", the straightforward code " + expected);
                    }
                }
            }
        }
    }

    /** The single-value method rounds its float32 quotient alike (its codes match the bulk ones). */
    @Test
    void singleValuesEqualBulkCodes() {
        ThresholdFormat format = new ThresholdFormat(8, 151.06784f);
        float[] values = probes(format, new Random(5));
        int[] codes = format.quantize(values, values.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(codes[i], format.quantize(values[i], 0), "x = " + values[i]);
        }
    }

    /** The floats to try for one format. */
    private static float[] probes(ThresholdFormat format, Random random) {
        FloatList list = new FloatList();
        float th = format.threshold(0);
        // pixels 0..255 after Caffe's mean subtraction and scale, as the image layer gives them
        for (float mean : new float[] {0f, 104.00699f, 116.66877f, 122.67892f, 127.5f}) {
            for (float scale : new float[] {1f, 0.017f, 1f / 255, 0.0078125f, th / 128}) {
                for (int p = 0; p < 256; p++) {
                    list.add((p - mean) * scale);
                }
            }
        }
        double step = format.step(0);
        for (int k = format.minCode(); k <= format.maxCode() + 1; k++) {
            around(list, (float) ((k - 0.5) * step));
            around(list, (float) (k * step));
        }
        around(list, th);
        around(list, -th);
        for (float x : new float[] {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL}) {
            list.add(x);
        }
        for (int i = 0; i < 5_000; i++) {
            list.add(Float.intBitsToFloat(random.nextInt()));
            list.add((float) (random.nextGaussian() * th));
            list.add((float) ((random.nextInt(format.maxCode() * 2 + 3) - format.maxCode() - 1 + 0.5) * step));
        }
        return list.toArray();
    }

    /** The 64 floats either side of x, and x. */
    private static void around(FloatList list, float x) {
        float up = x;
        float down = x;
        list.add(x);
        for (int i = 0; i < 64; i++) {
            up = Math.nextUp(up);
            down = Math.nextDown(down);
            list.add(up);
            list.add(down);
        }
    }

    private static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float x) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * size);
            }
            values[size++] = x;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
