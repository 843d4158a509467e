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
     * log2(233.3) = 7.87 -> 7 unsigned; std 0.1: log2(400) = 8.6 -> 8 signed, log2(700) = 9.5 -> 9 unsigned
     * (section F's clamp would give 7 and 8); std 100: log2(0.4) = -1.3 -> -2 signed, log2(0.7) = -0.5 -> -1
     * unsigned; std 0.0032 (a folded first
     * convolution's weights): log2(12500) = 13.6 -> 13. Beyond the formats' range: std 1e-9 -> 24, std 1e6
     * (log2(4e-5) = -14.6) -> -8. At the boundary 40 / 1.25 = 32 exactly: 5; a hair above 1.25: 4.
     */
    @Test
    void fractionalLengthFromTheStandardDeviation() {
        assertEquals(5, F8Net.fractionalLength(Statistic.STD, 1, true));
        assertEquals(6, F8Net.fractionalLength(Statistic.STD, 1, false));
        assertEquals(7, F8Net.fractionalLength(Statistic.STD, 0.3, true));
        assertEquals(7, F8Net.fractionalLength(Statistic.STD, 0.3, false));
        assertEquals(8, F8Net.fractionalLength(Statistic.STD, 0.1, true));
        assertEquals(9, F8Net.fractionalLength(Statistic.STD, 0.1, false));
        assertEquals(-2, F8Net.fractionalLength(Statistic.STD, 100, true));
        assertEquals(-1, F8Net.fractionalLength(Statistic.STD, 100, false));
        assertEquals(13, F8Net.fractionalLength(Statistic.STD, 0.0032, true));
        assertEquals(24, F8Net.fractionalLength(Statistic.STD, 1e-9, true));
        assertEquals(-8, F8Net.fractionalLength(Statistic.STD, 1e6, true));
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
        // fractional lengths beyond section F's 0..8 - signed are shifts like any other: Q.10 weight 0.0625 is 64,
        // times the Q.4 input 1.5 (24) = 1536 with 14 fractional bits, shifted by 12 to Q.2: 0.375 -> 0; the input
        // 2.5 (40): 2560 -> 0.625 -> 1; 4.5 (72): 4608 -> 1.125 -> 1; 0.0625 x 6 = 0.375, x 4 = 1.5 -> 2 (half to even)
        F8NetFormat fine = new F8NetFormat(true, 10);
        assertEquals(64, fine.quantize(0.0625f, 0));
        Requantizer shifted = out.fromProducts(in, fine, new float[] {0});
        assertEquals(java.util.List.of(0, 1, 1, 2), java.util.List.of(shifted.apply(24 * 64, 0),
                shifted.apply(40 * 64, 0), shifted.apply(72 * 64, 0), shifted.apply(96 * 64, 0)));
        // a negative fractional length: steps of 4, 10 -> code 2 (2.5 to even), 14 -> 4 (3.5 to even)
        assertEquals(2, new F8NetFormat(true, -2).quantize(10f, 0));
        assertEquals(4, new F8NetFormat(true, -2).quantize(14f, 0));
        assertThrows(IllegalArgumentException.class, () -> new F8NetFormat(true, F8Net.MAX_FL + 1));
        assertThrows(IllegalArgumentException.class, () -> new F8NetFormat(false, F8Net.MIN_FL - 1));
        assertThrows(IllegalArgumentException.class, () -> out.from(new FixedPointFormat(8, 2)));
    }

    /**
     * Weights with an fl per output channel, 2, 6 and -2: 0.75 -> 3, 3/64 -> 3, 8 -> 2 (0.625 at fl 2 is 2.5 steps:
     * 2, to even). Q.4 input, signed Q.3 output: channel 0's accumulator has 6 fractional bits (shift 3), channel
     * 1's 10 (shift 7), channel 2's 2 (shift -1: left). One right shift S = 7 serves all, after multiplying by
     * 2^(7 - s): 16, 1, 256; the biases 0.5, -0.25, 0.25 at 6, 10, 2 fractional bits are 32, -256, 1, times those
     * multipliers 512, -256, 256. Channel 0, inputs 24, 4, 12 (1.5, 0.25, 0.75): (72 + 32) / 8 = 13,
     * (12 + 32) / 8 = 5.5 -> 6, (36 + 32) / 8 = 8.5 -> 8. Channel 1, inputs 24, -24, 64: (72 - 256) / 128 = -1.44
     * -> -1, (-72 - 256) / 128 = -2.56 -> -3, (192 - 256) / 128 = -0.5 -> 0 (to even; half away gives -1). Channel
     * 2, inputs 24, 127: (48 + 1) x 2 = 98 (12.25 = 1.5 x 8 + 0.25), (254 + 1) x 2 = 510 -> 127 (saturated).
     */
    @Test
    void perChannelWeightsShiftEachChannelByItsOwnAmount() {
        F8NetWeights w = new F8NetWeights(2, 6, -2);
        assertEquals(java.util.List.of(3, 3, 2, 2), java.util.List.of(w.quantize(0.75f, 0), w.quantize(3 / 64f, 1),
                w.quantize(8f, 2), w.quantize(0.625f, 0)));
        assertEquals(0.25, w.step(0));
        assertEquals(4.0, w.step(2));
        Requantizer r = new F8NetFormat(true, 3).fromProducts(new F8NetFormat(true, 4), w,
                new float[] {0.5f, -0.25f, 0.25f});
        assertEquals(7, r.shift());
        assertEquals(java.util.List.of(16L, 1L, 256L), java.util.List.of(r.multiplier(0), r.multiplier(1),
                r.multiplier(2)));
        assertEquals(java.util.List.of(512L, -256L, 256L), java.util.List.of(r.offset(0), r.offset(1), r.offset(2)));
        assertEquals(java.util.List.of(13, 6, 8), java.util.List.of(r.apply(24 * 3, 0), r.apply(4 * 3, 0),
                r.apply(12 * 3, 0)));
        assertEquals(java.util.List.of(-1, -3, 0), java.util.List.of(r.apply(24 * 3, 1), r.apply(-24 * 3, 1),
                r.apply(64 * 3, 1)));
        assertEquals(java.util.List.of(98, 127), java.util.List.of(r.apply(24 * 2, 2), r.apply(127 * 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new F8NetWeights(3, F8Net.MAX_FL + 1));
        assertThrows(UnsupportedOperationException.class, () -> w.from(new F8NetFormat(true, 3)));
    }
}
