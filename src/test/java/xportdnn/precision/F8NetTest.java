package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import xportdnn.precision.F8Net.Statistic;

/** F8Net's formulas (algorithms.md F) against the paper's constants and hand-computed cases. */
class F8NetTest {

    /** The constants of snap-research/F8Net's metric2fraclen, as the paper publishes them. */
    @Test
    void constantsAreThePapers() {
        assertEquals(40, Statistic.STD.c(true));
        assertEquals(70, Statistic.STD.c(false));
        assertEquals(30, Statistic.MEAN_ABS.c(true));
        assertEquals(30, Statistic.MEAN_ABS.c(false));
        assertEquals(40, Statistic.RMS.c(true));
        assertEquals(50, Statistic.RMS.c(false));
    }

    /**
     * std 1: log2(40) = 5.32 -> 5 signed, log2(70) = 6.13 -> 6 unsigned; std 0.3: log2(133.3) = 7.06 -> 7 signed,
     * log2(233.3) = 7.87 -> 7 unsigned; std 0.1: log2(400) = 8.6 clamps to 7 signed, log2(700) = 9.5 to 8 unsigned;
     * std 100: log2(0.4) = -1.3 clamps to 0. At the boundary 40 / 1.25 = 32 exactly: 5; a hair above 1.25: 4.
     */
    @Test
    void fractionalLengthFromTheStandardDeviation() {
        assertEquals(5, F8Net.fractionalLength(Statistic.STD, 1, true));
        assertEquals(6, F8Net.fractionalLength(Statistic.STD, 1, false));
        assertEquals(7, F8Net.fractionalLength(Statistic.STD, 0.3, true));
        assertEquals(7, F8Net.fractionalLength(Statistic.STD, 0.3, false));
        assertEquals(7, F8Net.fractionalLength(Statistic.STD, 0.1, true));
        assertEquals(8, F8Net.fractionalLength(Statistic.STD, 0.1, false));
        assertEquals(0, F8Net.fractionalLength(Statistic.STD, 100, true));
        assertEquals(0, F8Net.fractionalLength(Statistic.STD, 100, false));
        assertEquals(5, F8Net.fractionalLength(Statistic.STD, 1.25, true));
        assertEquals(4, F8Net.fractionalLength(Statistic.STD, Math.nextUp(1.25), true));
        assertEquals(7, F8Net.fractionalLength(Statistic.STD, 0, true));
        assertEquals(8, F8Net.fractionalLength(Statistic.STD, 0, false));
        // mean |x| 1: log2(30) = 4.9 -> 4 either way; rms 1: log2(50) = 5.6 -> 5 unsigned
        assertEquals(4, F8Net.fractionalLength(Statistic.MEAN_ABS, 1, false));
        assertEquals(5, F8Net.fractionalLength(Statistic.RMS, 1, false));
        assertThrows(IllegalArgumentException.class, () -> F8Net.fractionalLength(Statistic.STD, Double.NaN, true));
    }

    /** Codes round half to even (torch.round) and saturate symmetrically signed, to [0, 255] unsigned. */
    @Test
    void codesRoundHalfToEvenAndSaturate() {
        assertEquals(0, F8Net.quantize(0.5, 0, true));
        assertEquals(2, F8Net.quantize(1.5, 0, true));
        assertEquals(2, F8Net.quantize(2.5, 0, true));
        assertEquals(-2, F8Net.quantize(-2.5, 0, true));
        assertEquals(3, F8Net.quantize(0.375, 3, true)); // 3.0
        assertEquals(6, F8Net.quantize(0.8125, 3, true)); // 6.5 -> 6
        assertEquals(127, F8Net.quantize(200, 0, true));
        assertEquals(-127, F8Net.quantize(-200, 0, true));
        assertEquals(0, F8Net.quantize(-3, 0, false));
        assertEquals(255, F8Net.quantize(300, 0, false));
        assertEquals(200, F8Net.quantize(200, 0, false));
    }

    /**
     * Q.4 input 1.5, -1.5, 0.625 -> 24, -24, 10; Q.4 weight 0.75 -> 12; accumulators 288, -288, 120 with 8
     * fractional bits; the bias 0.5 there is 128: 416, -160, 248, shifted right by 6 to the signed Q.2 output:
     * 6.5, -2.5, 3.875 round half to even to 6, -2, 4 (DynamicFixed's half away from zero gives 7, -3).
     */
    @Test
    void rescalingShiftsAndRoundsHalfToEven() {
        F8NetFormat in = new F8NetFormat(true, 4);
        F8NetFormat w = new F8NetFormat(true, 4);
        F8NetFormat out = new F8NetFormat(true, 2);
        Requantizer r = out.fromProducts(in, w, new float[] {0.5f});
        int code = w.quantize(0.75f, 0);
        assertEquals(12, code);
        int[] acc = {in.quantize(1.5f, 0) * code, in.quantize(-1.5f, 0) * code, in.quantize(0.625f, 0) * code};
        assertEquals(6, r.apply(acc[0], 0));
        assertEquals(-2, r.apply(acc[1], 0));
        assertEquals(4, r.apply(acc[2], 0));
        // moving codes 6, 10, -6 from Q.2 to Q.0: 1.5, 2.5, -1.5 -> 2, 2, -2; to an unsigned Q.3: 12, 20, 0
        assertEquals(java.util.List.of(2, 2, -2), java.util.Arrays.stream(new F8NetFormat(true, 0).from(out)
                .applyAll(new int[] {6, 10, -6})).boxed().toList());
        assertEquals(java.util.List.of(12, 20, 0), java.util.Arrays.stream(new F8NetFormat(false, 3).from(out)
                .applyAll(new int[] {6, 10, -6})).boxed().toList());
        assertThrows(IllegalArgumentException.class, () -> new F8NetFormat(true, 8));
        assertThrows(IllegalArgumentException.class, () -> out.from(new FixedPointFormat(8, 2)));
    }
}
