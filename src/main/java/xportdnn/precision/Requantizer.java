package xportdnn.precision;

import java.util.Arrays;

/**
 * The device's move of a wide integer into a narrow code, per channel c:
 * {@code clamp(roundShift(a x multiplier[c] + offset[c], shift), lower, upper)}, where {@code roundShift} divides
 * by 2^shift rounding half away from zero, as CHaiDNN's output stage does ({@code |v| + 2^(shift-1)}, shifted,
 * sign restored), or half to even, as F8Net's integer-only shifts do ({@link Rounding}). A fused ReLU raises the
 * lower bound to 0. All arithmetic is exact in {@code long}: the
 * single-value {@link #apply(long, int)} throws where a product would overflow, the bulk methods serve
 * accumulators whose range {@link #requireRange} accepted.
 */
public final class Requantizer {

    /** How a right shift rounds a value exactly halfway between two results. */
    public enum Rounding {
        /** Away from zero: CHaiDNN's output stage (and C's round). */
        HALF_AWAY,
        /** To the even result: F8Net's integer-only rescaling (algorithms.md F). */
        HALF_EVEN
    }

    private final Rounding rounding;
    private final long[] multiplier;
    private final long[] offset;
    private final int shift;
    private final int lower;
    private final int upper;
    /**
     * Per channel, the same move in 32-bit arithmetic for accumulators up to 2^24 (see {@link #int32Plan}): the
     * accumulator is clamped to [{@code accLow}, {@code accHigh}], the accumulators whose results lie within
     * lower..upper, which keeps {@code a x multiplier + offset} within int and the result within its bounds.
     * {@code int32[c]} is false where that does not fit.
     */
    private final boolean[] int32;
    private final int[] accLow;
    private final int[] accHigh;
    /**
     * Per channel, the accumulators beyond which the result saturates anyway ({@link #saturation}): every path
     * clamps an accumulator to them first (the int path to {@link #accLow}/{@link #accHigh}, within them), so that a
     * large multiplier (block floating point's finely stepped channels) cannot overflow on sums whose result is
     * saturated.
     */
    private final long[] saturatesBelow;
    private final long[] saturatesAbove;

    /**
     * @param multiplier per channel (one value serves a per-tensor move)
     * @param offset     per channel, added after the multiplication (the bias, in units of 2^-shift codes)
     * @param shift      right shift with rounding, 0..62
     * @param lower      smallest result
     * @param upper      largest result
     */
    public Requantizer(long[] multiplier, long[] offset, int shift, int lower, int upper) {
        this(multiplier, offset, shift, lower, upper, Rounding.HALF_AWAY);
    }

    /** The same move with the given rounding of the shift. */
    public Requantizer(long[] multiplier, long[] offset, int shift, int lower, int upper, Rounding rounding) {
        if (multiplier.length != offset.length || multiplier.length == 0) {
            throw new IllegalArgumentException(multiplier.length + " multipliers for " + offset.length + " offsets");
        }
        if (shift < 0 || shift > 62 || lower > upper) {
            throw new IllegalArgumentException("shift " + shift + ", bounds " + lower + ".." + upper);
        }
        this.rounding = rounding;
        this.multiplier = multiplier.clone();
        this.offset = offset.clone();
        this.shift = shift;
        this.lower = lower;
        this.upper = upper;
        int channels = multiplier.length;
        int32 = new boolean[channels];
        accLow = new int[channels];
        accHigh = new int[channels];
        saturatesBelow = new long[channels];
        saturatesAbove = new long[channels];
        for (int c = 0; c < channels; c++) {
            saturation(c);
            int32Plan(c);
        }
    }

    /** Largest |float32 accumulator| the bulk float method serves (exact as a float, see its contract). */
    private static final long FLOAT_ACCUMULATOR = 1L << 24;
    /** Bound on every int the int path forms, so that the differences its clamps take cannot overflow either. */
    private static final long INT_LIMIT = 1L << 30;

    /**
     * Decides whether channel c's move runs in int: the accumulator clamped to its {@link #saturation} bounds
     * (which leaves the result unchanged) and to the float path's range, what remains in between must fit in int.
     * The clamp is then narrowed to the accumulators whose results lie within lower..upper, and the int path takes
     * the channel only where that clamp alone gives the saturated result (an accumulator below the first of them
     * would have saturated to the first one's result, lower; likewise above), so that it needs no clamp of its
     * result: wherever the multiplier is at most 2^shift, as one more accumulator then moves the result by at most
     * one code (every requantization into coarser codes).
     */
    private void int32Plan(int c) {
        long m = multiplier[c];
        long b = offset[c];
        if (m <= 0 || m >= INT_LIMIT || Math.abs(b) >= INT_LIMIT || shift > 29 || Math.abs((long) lower) >= INT_LIMIT
                || Math.abs((long) upper) >= INT_LIMIT) {
            return;
        }
        long low = Math.max(saturatesBelow[c], -2 * FLOAT_ACCUMULATOR);
        long high = Math.min(saturatesAbove[c], 2 * FLOAT_ACCUMULATOR);
        long half = shift == 0 ? 0 : 1L << (shift - 1);
        if (low > high || Math.max(Math.abs(low * m + b), Math.abs(high * m + b)) + half >= INT_LIMIT) {
            return;
        }
        long first = firstReaching(c, lower, low, high);
        long last = firstReaching(c, upper + 1L, low, high) - 1;
        if (first > last || (first != -2 * FLOAT_ACCUMULATOR && unclamped(first, c) != lower)
                || (last != 2 * FLOAT_ACCUMULATOR && unclamped(last, c) != upper)) {
            return;
        }
        int32[c] = true;
        accLow[c] = (int) first;
        accHigh[c] = (int) last;
    }

    /** The result of accumulator a of channel c before saturation (a within int32Plan's accumulators). */
    private long unclamped(long a, int c) {
        return roundShift(a * multiplier[c] + offset[c], shift, rounding);
    }

    /**
     * The smallest accumulator in {@code low..high} whose unsaturated result is at least {@code code} (results grow
     * with the accumulator), {@code high + 1} where none is.
     */
    private long firstReaching(int c, long code, long low, long high) {
        long below = low - 1; // its result counts as below code
        long reaching = high + 1;
        while (reaching - below > 1) {
            long mid = (below + reaching) >> 1; // floor of the mean: below < mid < reaching
            if (unclamped(mid, c) >= code) {
                reaching = mid;
            } else {
                below = mid;
            }
        }
        return reaching;
    }

    /**
     * Sets channel c's {@link #saturatesBelow} and {@link #saturatesAbove} (the whole range where unknown). With
     * m > 0 the result is non-decreasing in a; every a with {@code a m + b < (lower - 1) 2^shift} rounds to at most
     * lower - 1, so saturates to lower, and every a with {@code a m + b > (upper + 1) 2^shift} saturates to upper.
     * Clamping a to the last such a below (and the first above) therefore leaves the result unchanged.
     */
    private void saturation(int c) {
        saturatesBelow[c] = Long.MIN_VALUE;
        saturatesAbove[c] = Long.MAX_VALUE;
        long m = multiplier[c];
        if (m <= 0) {
            return;
        }
        try {
            long below = Math.subtractExact(Math.multiplyExact((long) lower - 1, 1L << shift), offset[c]);
            long above = Math.subtractExact(Math.multiplyExact((long) upper + 1, 1L << shift), offset[c]);
            saturatesBelow[c] = -Math.floorDiv(-below, m) - 1;
            saturatesAbove[c] = Math.floorDiv(above, m) + 1;
        } catch (ArithmeticException e) {
            // bounds beyond long: no clamp, requireRange judges the accumulators as they are
        }
    }

    /** {@code a} within channel c's accumulators that do not saturate (and the first that do). */
    private long clamped(long a, int c) {
        return Math.max(saturatesBelow[c], Math.min(saturatesAbove[c], a));
    }

    /** A per-tensor move without offset. */
    public static Requantizer scaling(long multiplier, int shift, int lower, int upper) {
        return scaling(multiplier, shift, lower, upper, Rounding.HALF_AWAY);
    }

    /** A per-tensor move without offset, with the given rounding. */
    public static Requantizer scaling(long multiplier, int shift, int lower, int upper, Rounding rounding) {
        return new Requantizer(new long[] {multiplier}, new long[] {0}, shift, lower, upper, rounding);
    }

    /**
     * The same move saturating to {@code -limit..limit} instead: for an Eltwise sum, which moves its inputs to the
     * output's scale and saturates only their sum (a signed input read into an unsigned sum keeps its negative
     * values until the sum is formed).
     */
    public Requantizer withinLimit(int limit) {
        return new Requantizer(multiplier, offset, shift, -limit, limit, rounding);
    }

    /** The same move followed by a ReLU. */
    public Requantizer withRelu() {
        return new Requantizer(multiplier, offset, shift, Math.max(lower, 0), Math.max(upper, 0), rounding);
    }

    public Rounding rounding() {
        return rounding;
    }

    public int channels() {
        return multiplier.length;
    }

    public long multiplier(int channel) {
        return multiplier[channel];
    }

    public long offset(int channel) {
        return offset[channel];
    }

    public int shift() {
        return shift;
    }

    /** The smallest result. */
    public int lower() {
        return lower;
    }

    /** The largest result. */
    public int upper() {
        return upper;
    }

    /** The code for accumulator {@code a} of channel {@code channel}. */
    public int apply(long a, int channel) {
        long v = Math.addExact(Math.multiplyExact(clamped(a, channel), multiplier[channel]), offset[channel]);
        long r = roundShift(v, shift, rounding);
        return (int) Math.max(lower, Math.min(upper, r));
    }

    /**
     * Checks that the bulk {@code apply} methods cannot overflow for accumulators of magnitude
     * up to {@code maxAccumulator}.
     *
     * @throws IllegalArgumentException when it could
     */
    public void requireRange(double maxAccumulator) {
        for (int c = 0; c < multiplier.length; c++) {
            double reach = Math.min(maxAccumulator, Math.max(Math.abs((double) saturatesBelow[c]),
                    Math.abs((double) saturatesAbove[c])));
            double v = reach * Math.abs((double) multiplier[c]) + Math.abs((double) offset[c]);
            if (v >= 0x1p62) {
                throw new IllegalArgumentException("accumulators up to " + maxAccumulator + " times multiplier "
                        + multiplier[c] + " overflow 64 bits");
            }
        }
    }

    /**
     * {@code out[to + i] = apply(acc[from + i], channel)} for {@code count} float32 accumulators holding integers of
     * magnitude at most 2^24 (so the cast to int is exact, and cheaper than a cast to long) that
     * {@link #requireRange} accepted: the device's output stage for one channel's pixels.
     */
    public void apply(float[] acc, int from, int count, int channel, int[] out, int to) {
        for (int i = 0; i < count; i++) { // a pass of its own: C2 (JDK 17) vectorizes the cast only alone
            out[to + i] = (int) acc[from + i];
        }
        applyInPlace(out, to, count, channel);
    }

    /**
     * The same for int accumulators (an int8 product's sums) of magnitude at most 2^24 that {@link #requireRange}
     * accepted, {@code out[to .. to + count - 1]}, moved in place. The rounding is {@link #roundShift}
     * without branches: {@code (v + half + adjust) >> s}, where half away from zero takes {@code adjust = -1} for
     * v < 0 ({@code -((-v + half) >> s)} equals {@code (v + half - 1) >> s}) and half to even takes
     * {@code adjust = (floor(v / 2^s) & 1) - 1}, which rounds a tie up only from an odd quotient (see
     * {@link #roundShift(long, int, Rounding)}); both are 0 without a shift.
     */
    public void applyInPlace(int[] out, int to, int count, int channel) {
        if (int32[channel]) {
            applyInt(out, to, count, channel);
        } else {
            applyWideInPlace(out, to, count, channel);
        }
    }

    /**
     * {@link #applyInPlace} for int accumulators of any magnitude that {@link #requireRange} accepted (an int8
     * product's sums past 2^24), in long arithmetic: the move of {@link #apply(double[], int, int, int, int[], int)}.
     */
    public void applyWideInPlace(int[] out, int to, int count, int channel) {
        long m = multiplier[channel];
        long b = offset[channel];
        long half = shift == 0 ? 0 : 1L << (shift - 1);
        long away = awayMask(); // selects v >> 63 (-1 for v < 0)
        long even = evenMask(); // selects the quotient's lowest bit
        int s = shift;
        int lo = lower;
        int hi = upper;
        int end = to + count;
        long aLo = saturatesBelow[channel];
        long aHi = saturatesAbove[channel];
        for (int i = to; i < end; i++) {
            long v = Math.max(aLo, Math.min(aHi, out[i])) * m + b;
            long r = (v + half + ((v >> 63) & away) + ((v >> s) & even) - even) >> s;
            out[i] = (int) Math.max(lo, Math.min(hi, r));
        }
    }

    /**
     * The move in int arithmetic ({@link #int32Plan}), written for C2's (JDK 17) auto-vectorizer: it vectorizes
     * neither Math.max/min on int nor a loop reading and writing at two different offsets, so it runs in place
     * indexed by the loop variable, and the clamp is masks; the result needs none ({@link #int32Plan}). With {@code d = y - x}, {@code x + (d & ~(d >> 31))}
     * is {@code max(x, y)} and {@code y - (d & ~(d >> 31))} is {@code min(x, y)}, as d cannot overflow:
     * accumulators are at most 2^24, the clamp bounds 2^25, everything else below 2^30.
     */
    private void applyInt(int[] out, int to, int count, int channel) {
        int m = (int) multiplier[channel];
        int b = (int) offset[channel];
        int aLo = accLow[channel];
        int aHi = accHigh[channel];
        int half = shift == 0 ? 0 : 1 << (shift - 1);
        int away = (int) awayMask();
        int even = (int) evenMask();
        int s = shift;
        int end = to + count;
        for (int i = to; i < end; i++) {
            int a = out[i];
            int d = a - aLo;
            a = aLo + (d & ~(d >> 31));
            d = aHi - a;
            a = aHi - (d & ~(d >> 31));
            int v = a * m + b;
            out[i] = (v + half + ((v >> 31) & away) + ((v >> s) & even) - even) >> s;
        }
    }

    /** The same for float64 accumulators (integers of magnitude at most 2^53). */
    public void apply(double[] acc, int from, int count, int channel, int[] out, int to) {
        for (int i = 0; i < count; i++) {
            out[to + i] = (int) Math.max(lower, Math.min(upper, roundShift(clamped((long) acc[from + i], channel)
                    * multiplier[channel] + offset[channel], shift, rounding)));
        }
    }

    /** A per-tensor move of every code (channel 0). */
    public int[] applyAll(int[] codes) {
        return applyAll(codes, Math.max(1, codes.length));
    }

    /**
     * The move of every code of an activation laid out N x C x (plane), channel c by its own factors (C =
     * {@link #channels()}; one channel serves all).
     */
    public int[] applyAll(int[] codes, int plane) {
        int[] out = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = apply(codes[i], (i / plane) % multiplier.length);
        }
        return out;
    }

    /** -1 when the shift rounds half away from zero (the bulk methods' mask for v < 0), else 0. */
    private long awayMask() {
        return shift > 0 && rounding == Rounding.HALF_AWAY ? -1 : 0;
    }

    /** 1 when the shift rounds half to even (the bulk methods' mask for the quotient's lowest bit), else 0. */
    private long evenMask() {
        return shift > 0 && rounding == Rounding.HALF_EVEN ? 1 : 0;
    }

    /** {@code v / 2^shift} rounded half away from zero. */
    public static long roundShift(long v, int shift) {
        if (shift == 0) {
            return v;
        }
        long half = 1L << (shift - 1);
        return v >= 0 ? (v + half) >> shift : -((half - v) >> shift);
    }

    /**
     * {@code v / 2^shift} rounded as {@code rounding} says. Half to even: {@code (v + 2^(shift-1) - 1 + bit) >> shift}
     * with {@code bit} the lowest bit of {@code floor(v / 2^shift)}: a remainder below half stays below 2^shift, one
     * above half reaches it, and a remainder of exactly half reaches it only when the quotient is odd.
     */
    public static long roundShift(long v, int shift, Rounding rounding) {
        if (rounding == Rounding.HALF_AWAY || shift == 0) {
            return roundShift(v, shift);
        }
        return (v + (1L << (shift - 1)) - 1 + ((v >> shift) & 1)) >> shift;
    }

    @Override
    public String toString() {
        return "Requantizer(x" + (multiplier.length == 1 ? multiplier[0] : Arrays.toString(multiplier)) + " >> " + shift
                + (rounding == Rounding.HALF_EVEN ? " half-even" : "") + ", " + lower + ".." + upper + ")";
    }
}
