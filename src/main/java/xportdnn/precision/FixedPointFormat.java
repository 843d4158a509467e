package xportdnn.precision;

/**
 * CHaiDNN's DynamicFixed (Q.F) format: code {@code q = clamp(round_half_away(x * 2^fl), -2^(bw-1), 2^(bw-1)-1)}
 * meaning {@code q * 2^-fl} ({@link DynamicFixed}); one fractional length for the whole tensor.
 *
 * <p>Requantization as the runtime sets it up (loadConvBiasTXT, DynamicFixed branch): the accumulator of
 * (input x weight) codes has {@code fl_in + fl_params} fractional bits; the bias is first trimmed to the output
 * format (saturated to {@code bw_out} bits and rounded to {@code fl_out} fractional bits) and then written with the
 * accumulator's fractional bits, so it adds exactly; the sum is shifted right by
 * {@code s = fl_in + fl_params - fl_out} with rounding half away from zero ({@code 1 << (s-1)} added to the
 * magnitude) and saturated to {@code bw_out} bits. When {@code s < 0} the accumulator is scaled up by 2^-s
 * exactly instead (the device's shift cannot go left; such formats are the user's error, kept computable).
 * Moving codes between two fractional lengths is the same shift without bias.
 *
 * @param bitwidth       total bits, 2..24
 * @param fractionalBits fractional length fl (may be negative or exceed the bitwidth)
 */
public record FixedPointFormat(int bitwidth, int fractionalBits) implements PowerOfTwoFormat {

    /** The largest |fractional length| a format may have. */
    public static final int MAX_FRACTIONAL_BITS = 60;

    public FixedPointFormat {
        if (bitwidth < 2 || bitwidth > 24) {
            throw new IllegalArgumentException("bitwidth " + bitwidth + " is outside 2..24");
        }
        if (Math.abs(fractionalBits) > MAX_FRACTIONAL_BITS) {
            throw new IllegalArgumentException("fractional length " + fractionalBits + " is outside -"
                    + MAX_FRACTIONAL_BITS + ".." + MAX_FRACTIONAL_BITS);
        }
    }

    @Override
    public int quantize(float x, int channel) {
        return Float.isNaN(x) ? 0 : (int) DynamicFixed.quantize(x, bitwidth, fractionalBits);
    }

    @Override
    public Requantizer fromProducts(NumberFormat input, NumberFormat weights, float[] bias) {
        int s = shift(fractionalBitsOf(input) + fractionalBitsOf(weights));
        long[] m = new long[bias.length];
        long[] offset = new long[bias.length];
        for (int c = 0; c < bias.length; c++) {
            long b = quantize(bias[c], 0);
            m[c] = s >= 0 ? 1 : 1L << -s;
            offset[c] = s >= 0 ? b << s : b;
        }
        return new Requantizer(m, offset, Math.max(s, 0), minCode(), maxCode());
    }

    @Override
    public Requantizer from(NumberFormat source) {
        int s = shift(fractionalBitsOf(source));
        return Requantizer.scaling(s >= 0 ? 1 : 1L << -s, Math.max(s, 0), minCode(), maxCode());
    }

    /** The right shift from {@code from} fractional bits to this format's, within what a long can shift. */
    private int shift(int from) {
        int s = from - fractionalBits;
        if (Math.abs(s) > 62) {
            throw new IllegalArgumentException("a shift of " + s + " bits between fractional lengths " + from
                    + " and " + fractionalBits + " is out of range");
        }
        return s;
    }

    private static int fractionalBitsOf(NumberFormat f) {
        if (f instanceof FixedPointFormat q) {
            return q.fractionalBits;
        }
        throw new IllegalArgumentException("DynamicFixed arithmetic needs DynamicFixed operands, got " + f);
    }

    @Override
    public String toString() {
        return bitwidth + "-bit fl " + fractionalBits;
    }
}
