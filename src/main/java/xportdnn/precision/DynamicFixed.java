package xportdnn.precision;

/**
 * CHaiDNN's DynamicFixed (Q.F) numbers: a value x with bitwidth {@code bw} and fractional length {@code fl} is
 * stored as {@code q = clamp(round_half_away(x * 2^fl), -2^(bw-1), 2^(bw-1)-1)} and means {@code q * 2^-fl}.
 * {@code fl} may be negative or exceed {@code bw}. Pure functions, no state. The code range, the rounding and the
 * saturation defined here are those of every format, the Xilinx one's too.
 */
public final class DynamicFixed {

    /** Largest fractional length {@link #largestFl} returns: a 32-bit shift is the most the runtime can apply. */
    public static final int MAX_FL = 31;

    public static final int MIN_BITWIDTH = 2;
    public static final int MAX_BITWIDTH = 32;

    private DynamicFixed() {
    }

    /** The stored integer q of {@code x} (round half away from zero, then saturate to {@code bw} bits). */
    public static long quantize(double x, int bw, int fl) {
        checkBitwidth(bw);
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("cannot quantize NaN");
        }
        return saturate(roundHalfAway(Math.scalb(x, fl)), bw);
    }

    /** {@code q} clamped to the codes of {@code bw} bits, [-2^(bw-1), 2^(bw-1)-1]. */
    public static long saturate(double q, int bw) {
        return (long) Math.max(minCode(bw), Math.min(maxCode(bw), q));
    }

    /** Round half away from zero; {@code Math.floor(a + 0.5)} would be wrong for 0.49999999999999994. */
    public static double roundHalfAway(double v) {
        double a = Math.abs(v);
        double whole = Math.floor(a);
        if (a - whole >= 0.5) { // exact: a and its floor share the exponent range
            whole += 1;
        }
        return Math.copySign(whole, v);
    }

    /** The value {@code x} takes after quantization: {@code quantize(x, bw, fl) * 2^-fl}. */
    public static double value(double x, int bw, int fl) {
        return Math.scalb((double) quantize(x, bw, fl), -fl);
    }

    /** Smallest code at {@code bw} bits, -2^(bw-1). */
    public static long minCode(int bw) {
        checkBitwidth(bw);
        return -(1L << (bw - 1));
    }

    /** Largest code at {@code bw} bits, 2^(bw-1)-1. */
    public static long maxCode(int bw) {
        checkBitwidth(bw);
        return (1L << (bw - 1)) - 1;
    }

    /** The largest value Q.F holds at {@code bw} bits and fractional length {@code fl}: (2^(bw-1) - 1) * 2^-fl. */
    public static double largestValue(int bw, int fl) {
        return Math.scalb((double) maxCode(bw), -fl);
    }

    /**
     * The largest fl (at most {@link #MAX_FL}) at which no value in [{@code min}, {@code max}] saturates at
     * {@code bw} bits, i.e. {@code round_half_away(x * 2^fl)} stays within [-2^(bw-1), 2^(bw-1)-1]. Only the
     * extremes matter because saturation grows with |x|. A positive x fits while x*2^fl < 2^(bw-1) - 1/2; a
     * negative one while |x|*2^fl < 2^(bw-1) + 1/2 (the negative side holds one code more). When the range is
     * {0} no fl saturates; then {@code bw - 1} is returned (zero is exact in any format, and a moderate fl keeps
     * the runtime's shifts between formats in range, which an fl of 31 would not). Large values give negative fl.
     *
     * @param min the most negative value (or the smallest value; 0 or more means no negative values)
     * @param max the most positive value (0 or less means no positive values)
     */
    public static int largestFl(double min, double max, int bw) {
        checkBitwidth(bw);
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("range [" + min + ", " + max + "] is not finite");
        }
        if (min > max) {
            throw new IllegalArgumentException("empty range: min " + min + " > max " + max);
        }
        double positive = Math.max(max, 0);
        double negative = Math.max(-min, 0);
        if (positive == 0 && negative == 0) {
            return bw - 1;
        }
        double positiveLimit = Math.scalb(1.0, bw - 1) - 0.5;
        double negativeLimit = Math.scalb(1.0, bw - 1) + 0.5;
        int fl = MAX_FL;
        // scalb by a power of two is exact here (finite inputs, limits below 2^32), so the comparisons are exact.
        while (Math.scalb(positive, fl) >= positiveLimit || Math.scalb(negative, fl) >= negativeLimit) {
            fl--;
        }
        return fl;
    }

    /**
     * {@link #largestFl(double, double, int)} over the values themselves; an empty array or all zeros gives
     * {@code bw - 1}.
     */
    public static int largestFl(float[] values, int bw) {
        double min = 0;
        double max = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("value " + v + " is not finite");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return largestFl(min, max, bw);
    }

    private static void checkBitwidth(int bw) {
        if (bw < MIN_BITWIDTH || bw > MAX_BITWIDTH) {
            throw new IllegalArgumentException(
                    "bitwidth " + bw + " is outside " + MIN_BITWIDTH + ".." + MAX_BITWIDTH);
        }
    }
}
