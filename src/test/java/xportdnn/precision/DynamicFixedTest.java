package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DynamicFixedTest {

    @Test
    void quantizeRoundsHalfAwayFromZero() {
        assertEquals(5, DynamicFixed.quantize(1.3, 8, 2));      // 5.2
        assertEquals(3, DynamicFixed.quantize(0.625, 8, 2));    // 2.5
        assertEquals(-3, DynamicFixed.quantize(-0.625, 8, 2));  // -2.5
        assertEquals(-2, DynamicFixed.quantize(-0.6, 8, 2));    // -2.4
        assertEquals(0, DynamicFixed.quantize(0.49999999999999994, 8, 0)); // floor(x + 0.5) would give 1
        assertEquals(1.25, DynamicFixed.value(1.3, 8, 2));
    }

    @Test
    void quantizeSaturatesAsymmetrically() {
        assertEquals(127, DynamicFixed.quantize(100, 8, 2));
        assertEquals(31.75, DynamicFixed.value(100, 8, 2));
        assertEquals(-128, DynamicFixed.quantize(-100, 8, 2));
        assertEquals(-32.0, DynamicFixed.value(-100, 8, 2));
        assertEquals(31, DynamicFixed.quantize(7.9, 6, 2));     // 31.6 rounds to 32, clamped
        assertEquals(-32, DynamicFixed.quantize(-7.9, 6, 2));
        assertEquals(127, DynamicFixed.quantize(Double.POSITIVE_INFINITY, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> DynamicFixed.quantize(Double.NaN, 8, 0));
    }

    @Test
    void negativeAndLargeFractionalLengths() {
        assertEquals(125, DynamicFixed.quantize(1000, 8, -3));
        assertEquals(1000.0, DynamicFixed.value(1000, 8, -3));
        assertEquals(1008.0, DynamicFixed.value(1004, 8, -3));  // 125.5 -> 126
        assertEquals(1.0 / 1024, DynamicFixed.value(0.001, 6, 10)); // 1.024 -> 1
    }

    @Test
    void codeRange() {
        assertEquals(-32, DynamicFixed.minCode(6));
        assertEquals(31, DynamicFixed.maxCode(6));
        assertEquals(-2147483648L, DynamicFixed.minCode(32));
        assertEquals(2147483647L, DynamicFixed.maxCode(32));
        assertThrows(IllegalArgumentException.class, () -> DynamicFixed.maxCode(1));
        assertThrows(IllegalArgumentException.class, () -> DynamicFixed.maxCode(33));
    }

    @Test
    void largestValueIsTheLargestCodeTimesTheStep() {
        assertEquals(127, DynamicFixed.largestValue(8, 0));
        assertEquals(15.875, DynamicFixed.largestValue(8, 3));
        assertEquals(124, DynamicFixed.largestValue(6, -2));
        assertEquals(3, DynamicFixed.largestFl(-15.875, 15.875, 8)); // the widest fl holding it gives fl back
    }

    /** Both formats saturate to the same range, the one {@link DynamicFixed} defines. */
    @Test
    void saturationAndFormatsShareTheCodeRange() {
        assertEquals(31, DynamicFixed.saturate(31.0, 6));
        assertEquals(31, DynamicFixed.saturate(40.0, 6));
        assertEquals(-32, DynamicFixed.saturate(-32.0, 6));
        assertEquals(-32, DynamicFixed.saturate(-1e300, 6));
        assertEquals(-128, new FixedPointFormat(8, 3).minCode());
        assertEquals(127, new ThresholdFormat(8, 1f).maxCode());
        assertEquals(127, new ThresholdFormat(8, 1f).quantize(2f, 0));
        assertEquals(-2048, new FixedPointFormat(12, 0).quantize(-5000f, 0));
    }

    @Test
    void largestFlPositiveSide() {
        assertEquals(7, DynamicFixed.largestFl(new float[] {0.9f}, 8));   // 115.2 fits, 230.4 does not
        assertEquals(6, DynamicFixed.largestFl(new float[] {1.0f}, 8));   // 128 > 127
        assertEquals(6, DynamicFixed.largestFl(new float[] {0.99609375f}, 8)); // 127.5 rounds up to 128
        assertEquals(7, DynamicFixed.largestFl(new float[] {Math.nextDown(0.99609375f)}, 8)); // just below 127.5
        assertEquals(3, DynamicFixed.largestFl(new float[] {3.9f}, 6));   // 31.2 fits in 6 bits
        assertEquals(2, DynamicFixed.largestFl(new float[] {4.0f}, 6));
    }

    @Test
    void largestFlNegativeSideHoldsOneCodeMore() {
        assertEquals(7, DynamicFixed.largestFl(new float[] {-1.0f}, 8));        // -128 is a code
        assertEquals(6, DynamicFixed.largestFl(new float[] {-1.00390625f}, 8)); // -128.5 rounds to -129
        assertEquals(7, DynamicFixed.largestFl(new float[] {Math.nextUp(-1.00390625f)}, 8)); // just above -128.5
        assertEquals(3, DynamicFixed.largestFl(new float[] {-4.0f}, 6));
        assertEquals(7, DynamicFixed.largestFl(new float[] {-1.0f, 0.9f}, 8));
        assertEquals(6, DynamicFixed.largestFl(new float[] {-1.0f, 1.0f}, 8));
        assertEquals(5, DynamicFixed.largestFl(-3, 0.1, 8));                   // 96 fits, 192 does not
    }

    @Test
    void largestFlForLargeTinyAndZeroValues() {
        assertEquals(-3, DynamicFixed.largestFl(new float[] {1000f}, 8));       // 125 fits, 250 does not
        // MAX_VALUE = (2 - 2^-23) * 2^127: times 2^-121 it is 128 - 2^-17, which rounds to 128; times 2^-122 it is 64.
        assertEquals(-122, DynamicFixed.largestFl(new float[] {Float.MAX_VALUE}, 8));
        assertEquals(DynamicFixed.MAX_FL, DynamicFixed.largestFl(new float[] {1e-12f}, 8)); // would be 46
        assertEquals(7, DynamicFixed.largestFl(new float[] {0f, -0f}, 8));   // nothing to fit: bw - 1
        assertEquals(7, DynamicFixed.largestFl(new float[0], 8));
        assertEquals(5, DynamicFixed.largestFl(0, 0, 6));
    }

    @Test
    void largestFlRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> DynamicFixed.largestFl(new float[] {Float.NaN}, 8));
        assertThrows(IllegalArgumentException.class,
                () -> DynamicFixed.largestFl(new float[] {Float.NEGATIVE_INFINITY}, 8));
        assertThrows(IllegalArgumentException.class, () -> DynamicFixed.largestFl(1, -1, 8));
        assertThrows(IllegalArgumentException.class, () -> DynamicFixed.largestFl(new float[] {1}, 1));
    }

    /** Cross-check against quantize(): at the returned fl nothing clamps, one bit more and the extreme value does. */
    @Test
    void largestFlAgreesWithQuantize() {
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            int bw = 2 + random.nextInt(15);
            float[] values = new float[1 + random.nextInt(5)];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(40) - 20));
            }
            int fl = DynamicFixed.largestFl(values, bw);
            boolean clampsAtNext = false;
            for (float v : values) {
                assertTrue(!clamps(v, bw, fl), () -> v + " clamps at fl " + fl + ", bw " + bw);
                clampsAtNext |= clamps(v, bw, fl + 1);
            }
            assertTrue(fl == DynamicFixed.MAX_FL || clampsAtNext, "fl " + fl + " is not the largest");
        }
    }

    private static boolean clamps(double x, int bw, int fl) {
        return DynamicFixed.quantize(x, bw, fl) != DynamicFixed.roundHalfAway(Math.scalb(x, fl));
    }
}
