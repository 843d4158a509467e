package xportdnn.precision;

/**
 * A convolution reading an activation blob whose channels have steps of their own (block floating point with an
 * exponent per channel, {@link BlockFloatScheme}): the device aligns every input channel to the finest step before
 * accumulating, which is exact when the steps are powers of two apart: input code q of channel i, step
 * {@code 2^a_i} times the finest, is the code {@code q * 2^a_i} at the finest step. The shift is folded into the
 * integer weights: weight code w of input channel i becomes {@code w * 2^a_i}, so the accumulator, in units of
 * (finest input step x weight step), is the exact integer sum the aligned codes give.
 */
public final class ChannelAlignment {

    /** Largest alignment shift: beyond it the folded weights leave the simulator's exact range anyway. */
    static final int MAX_SHIFT = 24;

    private ChannelAlignment() {
    }

    /** The finest step of {@code input}'s channels. */
    public static double finestStep(NumberFormat input) {
        double finest = Double.POSITIVE_INFINITY;
        for (int c = 0; c < input.channels(); c++) {
            finest = Math.min(finest, input.step(c));
        }
        return finest;
    }

    /**
     * a_i of input channel {@code c}: log2 of its step over the finest.
     *
     * @throws IllegalArgumentException when the ratio is not a power of two (no integer alignment is exact)
     */
    public static int shift(NumberFormat input, int c) {
        double ratio = input.step(c) / finestStep(input);
        int a = Math.getExponent(ratio);
        if (ratio != Math.scalb(1.0, a) || a > MAX_SHIFT) {
            throw new IllegalArgumentException("input channel " + c + "'s step " + input.step(c) + " is not the finest "
                    + finestStep(input) + " times a power of two up to 2^" + MAX_SHIFT);
        }
        return a;
    }

    /**
     * The weight codes with input channel i's shift folded in.
     *
     * @param codes       [out, in/group, taps] in C order
     * @param outChannels out
     * @param group       the convolution's group count
     * @param taps        kernel height x width
     */
    public static int[] fold(int[] codes, NumberFormat input, int outChannels, int group, int taps) {
        int inPerGroup = input.channels() / group;
        int outPerGroup = outChannels / group;
        int[] shifts = new int[input.channels()];
        for (int c = 0; c < shifts.length; c++) {
            shifts[c] = shift(input, c);
        }
        int[] out = new int[codes.length];
        for (int o = 0, i = 0; o < outChannels; o++) {
            int first = o / outPerGroup * inPerGroup;
            for (int ci = 0; ci < inPerGroup; ci++) {
                long factor = 1L << shifts[first + ci];
                for (int t = 0; t < taps; t++, i++) {
                    out[i] = Math.toIntExact(codes[i] * factor);
                }
            }
        }
        return out;
    }
}
