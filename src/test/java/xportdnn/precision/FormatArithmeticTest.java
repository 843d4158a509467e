package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The number formats' integer pieces, against hand-computed values: rounding, requantizers, formats. */
class FormatArithmeticTest {

    @Test
    void roundShiftRoundsHalfAwayFromZero() {
        long[] v = {0, 1, 2, 3, 5, 6, -1, -2, -3, -5, -6, 7, -7};
        // divided by 4: 0, .25, .5, .75, 1.25, 1.5, -.25, -.5, -.75, -1.25, -1.5, 1.75, -1.75
        long[] expected = {0, 0, 1, 1, 1, 2, 0, -1, -1, -1, -2, 2, -2};
        for (int i = 0; i < v.length; i++) {
            assertEquals(expected[i], Requantizer.roundShift(v[i], 2), "v = " + v[i]);
        }
        assertEquals(-7, Requantizer.roundShift(-7, 0));
    }

    @Test
    void roundShiftRoundsHalfToEven() {
        long[] v = {0, 2, 6, 10, 14, 5, 7, -2, -6, -10, -14, -5, -7};
        // divided by 4: 0, .5, 1.5, 2.5, 3.5, 1.25, 1.75, -.5, -1.5, -2.5, -3.5, -1.25, -1.75
        long[] expected = {0, 0, 2, 2, 4, 1, 2, 0, -2, -2, -4, -1, -2};
        for (int i = 0; i < v.length; i++) {
            assertEquals(expected[i], Requantizer.roundShift(v[i], 2, Requantizer.Rounding.HALF_EVEN), "v = " + v[i]);
        }
        assertEquals(-7, Requantizer.roundShift(-7, 0, Requantizer.Rounding.HALF_EVEN));
    }

    /**
     * Half to even in every path (single value, float32 in int and in long, float64) against Math.rint of the exact
     * quotient, which rounds half to even: shifts 0 to 7, multipliers that keep the int path and one that does not.
     */
    @Test
    void halfEvenPathsEqualRint() {
        for (int shift = 0; shift < 8; shift++) {
            for (long[] mo : new long[][] {{1, 0}, {1, 37}, {3, -11}, {1L << 29, 0}}) {
                Requantizer rq = new Requantizer(new long[] {mo[0]}, new long[] {mo[1]}, shift, -100000, 100000,
                        Requantizer.Rounding.HALF_EVEN);
                float[] acc = new float[2001];
                double[] wide = new double[acc.length];
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = i - 1000;
                    wide[i] = acc[i];
                }
                int[] bulk = new int[acc.length];
                int[] fromDoubles = new int[acc.length];
                rq.apply(acc, 0, acc.length, 0, bulk, 0);
                rq.apply(wide, 0, acc.length, 0, fromDoubles, 0);
                for (int i = 0; i < acc.length; i++) {
                    long exact = (long) Math.max(-100000, Math.min(100000,
                            Math.rint(((long) acc[i] * mo[0] + mo[1]) / Math.scalb(1.0, shift))));
                    String where = "shift " + shift + ", x" + mo[0] + " + " + mo[1] + ", accumulator " + acc[i];
                    assertEquals(exact, rq.apply((long) acc[i], 0), where);
                    assertEquals(exact, bulk[i], where);
                    assertEquals(exact, fromDoubles[i], where);
                }
            }
        }
        assertEquals(Requantizer.Rounding.HALF_EVEN, Requantizer.scaling(1, 2, -8, 7, Requantizer.Rounding.HALF_EVEN)
                .withRelu().rounding());
    }

    /** The bulk path (branch-free rounding, int cast) agrees with the single-value path everywhere. */
    @Test
    void bulkApplyEqualsApply() {
        Requantizer rq = new Requantizer(new long[] {3301, 1}, new long[] {-5L << 20, 123}, 22, -128, 127);
        float[] acc = new float[4001];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = (i - 2000) * 1031;
        }
        for (int c = 0; c < 2; c++) {
            int[] bulk = new int[acc.length];
            rq.apply(acc, 0, acc.length, c, bulk, 0);
            double[] wide = new double[acc.length];
            for (int i = 0; i < acc.length; i++) {
                wide[i] = acc[i];
            }
            int[] fromDoubles = new int[acc.length];
            rq.apply(wide, 0, acc.length, c, fromDoubles, 0);
            for (int i = 0; i < acc.length; i++) {
                assertEquals(rq.apply((long) acc[i], c), bulk[i], "accumulator " + acc[i]);
                assertEquals(bulk[i], fromDoubles[i]);
            }
        }
    }

    /**
     * The float32 bulk path runs in int where it can, clamping the accumulator to where the result saturates: it must
     * agree with the single-value path exactly at and around those saturation points, at the accumulator extremes
     * +-2^24, with shift 0, ReLU bounds, negative or zero multipliers and offsets too large for int.
     */
    @Test
    void bulkApplyIsExactAroundSaturation() {
        long[][] moves = { // multiplier, offset, shift, lower, upper
            {3301, -5L << 20, 22, -128, 127}, {1, 0, 0, -128, 127}, {7, 3, 0, -32768, 32767}, {4194304, 1 << 21, 22, -128, 127},
            {123457, -98765432, 22, 0, 127}, {5, 1, 3, -8, 7}, {-3301, 7, 22, -128, 127}, {0, 1 << 22, 22, -128, 127},
            {3301, 1L << 40, 22, -128, 127}, {1L << 29, 0, 22, -128, 127}, {255, -1, 8, 0, 255}};
        for (long[] mv : moves) {
            Requantizer rq = new Requantizer(new long[] {mv[0]}, new long[] {mv[1]}, (int) mv[2], (int) mv[3],
                    (int) mv[4]);
            java.util.List<Float> values = new java.util.ArrayList<>();
            for (int e = -(1 << 24); e <= 1 << 24; e += 1 << 24) {
                for (int d = -3; d <= 3; d++) {
                    values.add((float) Math.max(-(1 << 24), Math.min(1 << 24, e + d)));
                }
            }
            if (mv[0] != 0) {
                for (long code : new long[] {mv[3] - 1, mv[3], mv[4], mv[4] + 1}) {
                    // accumulators whose a x m + b lies near code x 2^shift and code +- 1/2 there
                    long centre = Math.floorDiv((code << mv[2]) - mv[1], mv[0]);
                    for (long a = centre - 300; a <= centre + 300; a++) {
                        if (Math.abs(a) <= 1 << 24) {
                            values.add((float) a);
                        }
                    }
                }
            }
            float[] acc = new float[values.size()];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = values.get(i);
            }
            int[] bulk = new int[acc.length];
            rq.apply(acc, 0, acc.length, 0, bulk, 0);
            for (int i = 0; i < acc.length; i++) {
                assertEquals(rq.apply((long) acc[i], 0), bulk[i], rq + ", accumulator " + (long) acc[i]);
            }
        }
    }

    @Test
    void reluRaisesTheLowerBoundAndRangeIsChecked() {
        Requantizer rq = Requantizer.scaling(1, 0, -32, 31).withRelu();
        assertArrayEquals(new int[] {0, 0, 5, 31}, rq.applyAll(new int[] {-40, -3, 5, 99}));
        // a huge multiplier saturates every accumulator but 0: clamped first, exact without overflow
        Requantizer huge = Requantizer.scaling(1L << 40, 0, -128, 127);
        huge.requireRange(1 << 23);
        assertArrayEquals(new int[] {-128, 0, 127}, huge.applyAll(new int[] {-(1 << 30), 0, 1 << 30}));
        assertEquals(127, huge.apply(1L << 40, 0));
        // with a shift of 62 the saturation bounds leave long: the accumulators' range decides
        Requantizer unbounded = Requantizer.scaling(1L << 40, 62, -128, 127);
        assertThrows(IllegalArgumentException.class, () -> unbounded.requireRange(1 << 23));
        assertThrows(ArithmeticException.class, () -> unbounded.apply(1L << 30, 0));
    }

    /**
     * th 127 x 2^-6 at 8 bits: sf = 2^-6, codes clip at +-127 (1.5 steps round away to 2); at 6 bits th 31 x 0.125
     * gives sf 0.125; a threshold of 0 gives 0 (the runtime skips the division).
     */
    @Test
    void thresholdFormatQuantizesAsTheSpecSays() {
        ThresholdFormat f = new ThresholdFormat(8, 1.984375f);
        assertEquals(0.015625, f.step(0));
        int[] codes = f.quantize(new float[] {0.0234375f, -0.0234375f, 0.0234f, 5f, -5f, 0f}, 6);
        assertArrayEquals(new int[] {2, -2, 1, 127, -127, 0}, codes);
        assertEquals(-128, f.minCode());
        ThresholdFormat perChannel = new ThresholdFormat(6, 3.875f, 0f);
        assertArrayEquals(new int[] {8, -31, 0, 0}, perChannel.quantize(new float[] {1f, -9f, 1f, -9f}, 2));
        assertEquals(1f, perChannel.dequantize(8, 0));
    }

    /** Moving codes between thresholds: M = round(sf_from / sf_to x 2^22); the identity is exactly 2^22. */
    @Test
    void thresholdRescaling() {
        ThresholdFormat a = new ThresholdFormat(8, 1.984375f); // step 2^-6
        ThresholdFormat b = new ThresholdFormat(8, 3.96875f); // step 2^-5
        assertEquals(1L << 22, a.from(a).multiplier(0));
        assertArrayEquals(new int[] {2, -2, 1, 0, 64}, b.from(a).applyAll(new int[] {3, -3, 1, 0, 127}));
        assertArrayEquals(new int[] {127, -128, 2}, a.from(b).applyAll(new int[] {64, -100, 1}));
    }

    /** Q.F codes, and shifts both ways between fractional lengths. */
    @Test
    void fixedPointFormat() {
        FixedPointFormat q3 = new FixedPointFormat(6, 3);
        assertArrayEquals(new int[] {4, -4, 31, -32, 1}, q3.quantize(new float[] {0.5f, -0.5f, 9f, -9f, 0.0625f}, 5));
        assertEquals(0.125, q3.step(0));
        FixedPointFormat q1 = new FixedPointFormat(6, 1);
        // 0.25, -0.25, 0.75 are 0.5, -0.5, 1.5 Q.1 steps
        assertArrayEquals(new int[] {1, -1, 2}, q1.from(q3).applyAll(new int[] {2, -2, 6}));
        assertArrayEquals(new int[] {12, -32}, q3.from(q1).applyAll(new int[] {3, -9})); // x4, -36 saturated
        assertThrows(IllegalArgumentException.class, () -> q3.from(new ThresholdFormat(8, 1f)));
    }

    /** The runtime's integer bits of fused weights (algorithms.md C). */
    @Test
    void integerBitsOfFusedWeights() {
        assertEquals(1, DynamicFixedScheme.integerBits(0.99f));
        assertEquals(2, DynamicFixedScheme.integerBits(1));
        assertEquals(2, DynamicFixedScheme.integerBits(1.5f));
        assertEquals(2, DynamicFixedScheme.integerBits(2));
        assertEquals(3, DynamicFixedScheme.integerBits(2.5f));
        assertEquals(3, DynamicFixedScheme.integerBits(4));
        assertEquals(4, DynamicFixedScheme.integerBits(4.01f));
    }

    /** At 2^29 a floating-point log(max)/log(2) is 29.000000000000004, whose ceiling would add a bit. */
    @Test
    void fusedWeightsFlIsExactAtPowersOfTwo() {
        assertEquals(7, DynamicFixedScheme.fusedWeightsFl(0.5, 8));
        assertEquals(5, DynamicFixedScheme.fusedWeightsFl(4, 8));
        assertEquals(4, DynamicFixedScheme.fusedWeightsFl(4.5, 8));
        assertEquals(8 - 30, DynamicFixedScheme.fusedWeightsFl(0x1p29, 8));
    }


    /**
     * The bulk int moves (whose int path clamps only the accumulator) against the single-value move in long
     * arithmetic: random multipliers below, at and above 2^shift, offsets, shifts 0..29, both roundings, with and
     * without ReLU, on random accumulators up to 2^24 and on every accumulator within 3 of each saturation boundary
     * and of 0.
     */
    @Test
    void bulkMovesEqualSingleValues() {
        java.util.Random random = new java.util.Random(17);
        for (int trial = 0; trial < 3000; trial++) {
            int shift = trial % 30;
            long unit = 1L << shift;
            long m = switch (trial % 5) {
                case 0 -> unit;
                case 1 -> 1 + random.nextInt((int) Math.min(unit, 1 << 22));
                case 2 -> Math.max(1, unit - random.nextInt(3));
                case 3 -> unit + 1 + random.nextInt(1000);
                default -> 1 + random.nextInt(1 << 20);
            };
            long b = (long) (random.nextGaussian() * 40 * unit);
            int bits = 2 + random.nextInt(15);
            int upper = (1 << (bits - 1)) - 1;
            Requantizer move = new Requantizer(new long[] {m}, new long[] {b}, shift, -upper - 1, upper,
                    random.nextBoolean() ? Requantizer.Rounding.HALF_AWAY : Requantizer.Rounding.HALF_EVEN);
            if (random.nextBoolean()) {
                move = move.withRelu();
            }
            int[] acc = new int[200];
            for (int i = 0; i < 100; i++) {
                acc[i] = random.nextInt((1 << 25) + 1) - (1 << 24);
            }
            int i = 100;
            for (double edge : new double[] {((move.lower() - 0.5) * unit - b) / m, ((move.upper() + 0.5) * unit - b) / m,
                0}) {
                for (long a = Math.round(edge) - 3; a <= Math.round(edge) + 3; a++) {
                    acc[i++] = (int) Math.max(-(1 << 24), Math.min(1 << 24, a));
                }
            }
            int[] bulk = acc.clone();
            move.applyInPlace(bulk, 0, i, 0);
            for (int k = 0; k < i; k++) {
                assertEquals(move.apply(acc[k], 0), bulk[k], move + ", accumulator " + acc[k]);
            }
        }
    }

    /**
     * The long move of int accumulators past 2^24 (an int8 product's sums, up to K x 128 x 128 for K = 25,088 and
     * beyond) equals the single-value move, at random accumulators over the whole int range and around each
     * saturation point, both roundings, with and without ReLU.
     */
    @Test
    void wideBulkMoveEqualsSingleValues() {
        java.util.Random random = new java.util.Random(29);
        for (int trial = 0; trial < 2000; trial++) {
            int shift = trial % 40;
            long unit = 1L << shift;
            long m = 1 + random.nextInt(1 << 20);
            long b = (long) (random.nextGaussian() * 1e6 * m);
            int bits = 2 + random.nextInt(15);
            int upper = (1 << (bits - 1)) - 1;
            Requantizer move = new Requantizer(new long[] {m}, new long[] {b}, shift, -upper - 1, upper,
                    random.nextBoolean() ? Requantizer.Rounding.HALF_AWAY : Requantizer.Rounding.HALF_EVEN);
            if (random.nextBoolean()) {
                move = move.withRelu();
            }
            move.requireRange(0x1p31);
            int[] acc = new int[200];
            for (int i = 0; i < 100; i++) {
                acc[i] = random.nextInt();
            }
            int i = 100;
            for (double edge : new double[] {((move.lower() - 0.5) * unit - b) / m, ((move.upper() + 0.5) * unit - b) / m,
                0, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                for (long a = Math.round(edge) - 3; a <= Math.round(edge) + 3; a++) {
                    acc[i++] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, a));
                }
            }
            int[] bulk = acc.clone();
            move.applyWideInPlace(bulk, 0, i, 0);
            for (int k = 0; k < i; k++) {
                assertEquals(move.apply(acc[k], 0), bulk[k], move + ", accumulator " + acc[k]);
            }
        }
    }
}
