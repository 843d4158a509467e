package xportdnn.precision;

/**
 * An F8Net tensor format ({@link F8Net}): 8-bit codes with fractional length fl, signed in [-127, 127] or unsigned
 * in [0, 255], values rounded half to even; one fractional length for the whole tensor.
 *
 * <p>Integer-only rescaling (F8Net's {@code int_op_only_fix_quant}): the accumulator of (input x weight) codes has
 * {@code fl_in + fl_w} fractional bits (fl_w per output channel with {@link F8NetWeights}); the bias is added in them,
 * rounded half to even and held in 32 bits; the sum is shifted right by {@code s = fl_in + fl_w - fl_out} rounding half
 * to even and saturated to the output codes; a negative s shifts left exactly. Moving codes between two formats is the
 * same shift without bias.
 *
 * <p>A {@link #wide} format is a 32-bit accumulator held as it is ({@link F8Net#ACCUMULATOR_BITS}): F8Net's reference
 * keeps a convolution output that a residual sum reads, and the sum, that way, and shifts them into the next
 * convolution's 8-bit input format (moving codes, as above). Its codes saturate at +-(2^31 - 1), or 0..2^31 - 1
 * unsigned (after a ReLU).
 *
 * @param signed         whether codes are signed (else the tensor is a ReLU's output)
 * @param fractionalBits fl, {@link F8Net#MIN_FL}..{@link F8Net#MAX_FL} ({@link F8Net#MAX_ACCUMULATOR_FL} wide)
 * @param bits           {@link F8Net#BITS}, or {@link F8Net#ACCUMULATOR_BITS} for an accumulator
 */
public record F8NetFormat(boolean signed, int fractionalBits, int bits) implements PowerOfTwoFormat {

    /** The bias word: F8Net quantizes biases to 32 bits at the accumulator's fractional length. */
    private static final int BIAS_BITS = 32;

    public F8NetFormat {
        if (bits == F8Net.BITS) {
            F8Net.checkedFl(fractionalBits);
        } else if (bits != F8Net.ACCUMULATOR_BITS) {
            throw new IllegalArgumentException("an F8Net format is " + F8Net.BITS + " or " + F8Net.ACCUMULATOR_BITS
                    + " bits, not " + bits);
        } else if (fractionalBits < F8Net.MIN_FL || fractionalBits > F8Net.MAX_ACCUMULATOR_FL) {
            throw new IllegalArgumentException("F8Net accumulator fractional length " + fractionalBits
                    + " is outside " + F8Net.MIN_FL + ".." + F8Net.MAX_ACCUMULATOR_FL);
        }
    }

    /** An 8-bit format. */
    public F8NetFormat(boolean signed, int fractionalBits) {
        this(signed, fractionalBits, F8Net.BITS);
    }

    /** A 32-bit accumulator held as it is, {@code fl} fractional bits. */
    public static F8NetFormat wide(boolean signed, int fl) {
        return new F8NetFormat(signed, fl, F8Net.ACCUMULATOR_BITS);
    }

    /** Whether this is a 32-bit accumulator. */
    public boolean isWide() {
        return bits == F8Net.ACCUMULATOR_BITS;
    }

    @Override
    public int bitwidth() {
        return bits;
    }

    @Override
    public int quantize(float x, int channel) {
        if (Float.isNaN(x)) {
            return 0;
        }
        return isWide() ? (int) Math.max(minCode(), Math.min(maxCode(), Math.rint(Math.scalb((double) x,
                fractionalBits)))) : F8Net.quantize(x, fractionalBits, signed);
    }

    @Override
    public int minCode() {
        return isWide() ? (signed ? -Integer.MAX_VALUE : 0) : F8Net.minCode(signed);
    }

    @Override
    public int maxCode() {
        return isWide() ? Integer.MAX_VALUE : F8Net.maxCode(signed);
    }

    /**
     * Output channel c's accumulator has {@code a[c] = fl_in + fl_w[c]} fractional bits (the weights' fl per output
     * channel, {@link F8NetWeights}, or one for all) and shifts right by {@code s[c] = a[c] - fl}. The
     * {@link Requantizer} has one shift for all channels, so it shifts by {@code S = max(0, max_c s[c])} after
     * multiplying channel c (and its bias) by {@code 2^(S - s[c])}: the same quotient, so the same rounding half to
     * even, exactly.
     */
    @Override
    public Requantizer fromProducts(NumberFormat input, NumberFormat weights, float[] bias) {
        int inputFl = fractionalBitsOf(input);
        int[] accumulatorFl = new int[bias.length];
        int shift = 0;
        for (int c = 0; c < bias.length; c++) {
            accumulatorFl[c] = inputFl + weightFl(weights, c);
            shift = Math.max(shift, accumulatorFl[c] - fractionalBits);
        }
        long biasLimit = DynamicFixed.maxCode(BIAS_BITS);
        long[] m = new long[bias.length];
        long[] offset = new long[bias.length];
        for (int c = 0; c < bias.length; c++) {
            long b = (long) Math.max(-biasLimit, Math.min(biasLimit, Math.rint(Math.scalb((double) bias[c],
                    accumulatorFl[c]))));
            m[c] = 1L << (shift - (accumulatorFl[c] - fractionalBits));
            offset[c] = Math.multiplyExact(b, m[c]);
        }
        return new Requantizer(m, offset, shift, minCode(), maxCode(), Requantizer.Rounding.HALF_EVEN);
    }

    @Override
    public Requantizer from(NumberFormat source) {
        int s = fractionalBitsOf(source) - fractionalBits;
        return Requantizer.scaling(s >= 0 ? 1 : 1L << -s, Math.max(s, 0), minCode(), maxCode(),
                Requantizer.Rounding.HALF_EVEN);
    }

    /** The fl of output channel c's weights. */
    private static int weightFl(NumberFormat weights, int c) {
        return weights instanceof F8NetWeights w ? w.fractionalBits(c) : fractionalBitsOf(weights);
    }

    private static int fractionalBitsOf(NumberFormat f) {
        if (f instanceof F8NetFormat q) {
            return q.fractionalBits;
        }
        throw new IllegalArgumentException("F8Net arithmetic needs F8Net operands, got " + f);
    }

    @Override
    public String toString() {
        return "F8Net " + (signed ? "signed" : "unsigned") + (isWide() ? " " + bits + "-bit" : "") + " fl "
                + fractionalBits;
    }
}
