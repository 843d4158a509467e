package xportdnn.precision;

/**
 * Block floating point (algorithms.md E, seed BFP_DNN): a block of values (a weight output channel, an activation
 * blob) shares one exponent e, each value keeps a signed m-bit mantissa,
 * {@code q = clamp(rha(x / 2^(e-m+2)), -(2^(m-1)-1), 2^(m-1)-1)} meaning {@code q * 2^(e-m+2)}, rha rounding half
 * away from zero. That is exactly the Xilinx format ({@link ThresholdFormat}) of m bits with the threshold
 * {@code (2^(m-1)-1) * 2^(e-m+2)}: its step is the power of two, its clamp the symmetric mantissa range, its rounding
 * C's round. So a BFP net runs on the device's arithmetic with power-of-two thresholds, and these functions give
 * them.
 */
public final class BlockFloat {

    private BlockFloat() {
    }

    /** The online exponent of a block: {@code floor(log2(max |x|))}; 0 for an all-zero block. */
    public static int exponent(double maxAbs) {
        return maxAbs > 0 ? Math.getExponent(maxAbs) : 0;
    }

    /** The value of mantissa 1 with exponent {@code e} and {@code m} mantissa bits: {@code 2^(e-m+2)}. */
    public static double step(int e, int m) {
        return Math.scalb(1.0, e - m + 2);
    }

    /** The largest magnitude the block holds: {@code (2^(m-1)-1) * 2^(e-m+2)}, the equivalent Xilinx threshold. */
    public static double threshold(int e, int m) {
        return DynamicFixed.maxCode(m) * step(e, m);
    }

    /** The mantissa of {@code x}. */
    public static int quantize(double x, int e, int m) {
        long max = DynamicFixed.maxCode(m);
        double q = DynamicFixed.roundHalfAway(x / step(e, m));
        return (int) Math.max(-max, Math.min(max, q));
    }

    /** The smallest exponent whose block holds {@code threshold} (a shared range re-aligned to one exponent). */
    public static int exponentCovering(double threshold, int m) {
        if (!(threshold > 0)) {
            return 0;
        }
        int e = exponent(threshold);
        while (threshold(e, m) < threshold) {
            e++;
        }
        while (threshold(e - 1, m) >= threshold) {
            e--;
        }
        return e;
    }
}
