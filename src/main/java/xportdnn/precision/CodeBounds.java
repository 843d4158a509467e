package xportdnn.precision;

/**
 * A quantizer that is a non-decreasing function of its float input (NaN aside), held as the smallest float of
 * every code, so that a value's code takes no division: an estimate (the value times the reciprocal of the step,
 * rounded) is corrected by comparing the value with the bounds of the estimated code, and the comparisons alone
 * decide. Where {@code from[k] <= x < from[k + 1]}, the function's code of x is k by the definition of the bounds and
 * its monotonicity, whatever the estimate was; the estimate is off by at most one next to a rounding boundary, so
 * the correction usually stops at once. The bounds come from the function itself (a binary search over the floats
 * in their order for every code): exact for any non-decreasing function, at a cost of 32 evaluations per code.
 */
final class CodeBounds {

    /** The function a bulk quantization replaces. */
    @FunctionalInterface
    interface Quantizer {
        int code(float x);
    }

    /** Codes beyond which building the bounds costs more than it saves (and their table grows large). */
    static final int MAX_CODES = 1 << 12;

    private final int lowest;
    private final int highest;
    private final int nanCode;
    private final double reciprocal;
    /**
     * {@code from[k]}: the smallest float whose code is at least {@code lowest + k}; {@code from[0]} is -infinity and
     * the entry past the highest code NaN, which no comparison passes, so that the correction stays in the table.
     */
    private final float[] from;

    /**
     * @param quantizer  non-decreasing on the floats ordered by value (-0 and +0 alike)
     * @param reciprocal an approximation of its codes per unit of input, for the estimate
     */
    CodeBounds(Quantizer quantizer, double reciprocal) {
        this.reciprocal = reciprocal;
        lowest = quantizer.code(Float.NEGATIVE_INFINITY);
        highest = quantizer.code(Float.POSITIVE_INFINITY);
        nanCode = quantizer.code(Float.NaN);
        if (highest - (long) lowest >= MAX_CODES) {
            throw new IllegalArgumentException("codes " + lowest + ".." + highest + " exceed " + MAX_CODES);
        }
        from = new float[highest - lowest + 2];
        from[0] = Float.NEGATIVE_INFINITY;
        from[from.length - 1] = Float.NaN;
        for (int k = 1; k < from.length - 1; k++) {
            from[k] = smallestReaching(quantizer, lowest + k);
        }
    }

    /** The smallest float x with {@code code(x) >= k}, for a k the function reaches. */
    private static float smallestReaching(Quantizer quantizer, int k) {
        long low = order(Float.NEGATIVE_INFINITY); // code below k (k is above the lowest code)
        long high = order(Float.POSITIVE_INFINITY); // code at least k
        while (high - low > 1) {
            long mid = (low + high) >> 1; // floor of the mean: low < mid < high
            if (quantizer.code(fromOrder((int) mid)) >= k) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return fromOrder((int) high);
    }

    /** A float's place in the order of values as an int (negative floats' bit patterns reversed). */
    private static int order(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits >= 0 ? bits : bits ^ Integer.MAX_VALUE;
    }

    private static float fromOrder(int order) {
        return Float.intBitsToFloat(order >= 0 ? order : order ^ Integer.MAX_VALUE);
    }

    /** The code of x. */
    int code(float x) {
        if (x != x) {
            return nanCode;
        }
        float[] from = this.from;
        int k = Math.max(lowest, Math.min(highest, (int) Math.rint(x * reciprocal))) - lowest;
        while (x < from[k]) {
            k--;
        }
        while (x >= from[k + 1]) {
            k++;
        }
        return lowest + k;
    }
}
