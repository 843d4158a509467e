package xportdnn.sim;

import java.util.Arrays;

/**
 * The device's move of a wide integer into a narrow code, per channel c:
 * {@code clamp(roundShift(a x multiplier[c] + offset[c], shift), lower, upper)}, where {@code roundShift} divides
 * by 2^shift rounding half away from zero, as CHaiDNN's output stage does ({@code |v| + 2^(shift-1)}, shifted,
 * sign restored). A fused ReLU raises the lower bound to 0. All arithmetic is exact in {@code long}: the
 * single-value {@link #apply(long, int)} throws where a product would overflow, the bulk methods serve
 * accumulators whose range {@link #requireRange} accepted.
 */
public final class Requantizer {

    private final long[] multiplier;
    private final long[] offset;
    private final int shift;
    private final int lower;
    private final int upper;

    /**
     * @param multiplier per channel (one value serves a per-tensor move)
     * @param offset     per channel, added after the multiplication (the bias, in units of 2^-shift codes)
     * @param shift      right shift with rounding, 0..62
     * @param lower      smallest result
     * @param upper      largest result
     */
    public Requantizer(long[] multiplier, long[] offset, int shift, int lower, int upper) {
        if (multiplier.length != offset.length || multiplier.length == 0) {
            throw new IllegalArgumentException(multiplier.length + " multipliers for " + offset.length + " offsets");
        }
        if (shift < 0 || shift > 62 || lower > upper) {
            throw new IllegalArgumentException("shift " + shift + ", bounds " + lower + ".." + upper);
        }
        this.multiplier = multiplier.clone();
        this.offset = offset.clone();
        this.shift = shift;
        this.lower = lower;
        this.upper = upper;
    }

    /** A per-tensor move without offset. */
    public static Requantizer scaling(long multiplier, int shift, int lower, int upper) {
        return new Requantizer(new long[] {multiplier}, new long[] {0}, shift, lower, upper);
    }

    /** The same move followed by a ReLU. */
    public Requantizer withRelu() {
        return new Requantizer(multiplier, offset, shift, Math.max(lower, 0), Math.max(upper, 0));
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

    /** The code for accumulator {@code a} of channel {@code channel}. */
    public int apply(long a, int channel) {
        long v = Math.addExact(Math.multiplyExact(a, multiplier[channel]), offset[channel]);
        long r = roundShift(v, shift);
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
            double v = maxAccumulator * Math.abs((double) multiplier[c]) + Math.abs((double) offset[c]);
            if (v >= 0x1p62) {
                throw new IllegalArgumentException("accumulators up to " + maxAccumulator + " times multiplier "
                        + multiplier[c] + " overflow 64 bits");
            }
        }
    }

    /**
     * {@code out[to + i] = apply(acc[from + i], channel)} for {@code count} float32 accumulators holding integers of
     * magnitude at most 2^24 (so the cast to int is exact, and cheaper than a cast to long) that
     * {@link #requireRange} accepted: the device's output stage for one channel's pixels. The rounding is
     * {@link #roundShift} without branches: for v < 0, {@code -((-v + half) >> s)} equals {@code (v + half - 1) >> s}.
     */
    public void apply(float[] acc, int from, int count, int channel, int[] out, int to) {
        long m = multiplier[channel];
        long b = offset[channel];
        long half = shift == 0 ? 0 : 1L << (shift - 1);
        long negative = shift == 0 ? 0 : -1; // selects v >> 63 (-1 for v < 0) when there is a shift
        int s = shift;
        int lo = lower;
        int hi = upper;
        for (int i = 0; i < count; i++) {
            long v = (int) acc[from + i] * m + b;
            long r = (v + half + ((v >> 63) & negative)) >> s;
            out[to + i] = (int) Math.max(lo, Math.min(hi, r));
        }
    }

    /** The same for float64 accumulators (integers of magnitude at most 2^53). */
    public void apply(double[] acc, int from, int count, int channel, int[] out, int to) {
        for (int i = 0; i < count; i++) {
            out[to + i] = (int) Math.max(lower, Math.min(upper, roundShift((long) acc[from + i] * multiplier[channel]
                    + offset[channel], shift)));
        }
    }

    /** A per-tensor move of every code (channel 0). */
    public int[] applyAll(int[] codes) {
        int[] out = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = apply(codes[i], 0);
        }
        return out;
    }

    /** {@code v / 2^shift} rounded half away from zero. */
    public static long roundShift(long v, int shift) {
        if (shift == 0) {
            return v;
        }
        long half = 1L << (shift - 1);
        return v >= 0 ? (v + half) >> shift : -((half - v) >> shift);
    }

    @Override
    public String toString() {
        return "Requantizer(x" + (multiplier.length == 1 ? multiplier[0] : Arrays.toString(multiplier)) + " >> " + shift
                + ", " + lower + ".." + upper + ")";
    }
}
