package xportdnn.precision;

import java.util.Arrays;

/**
 * A convolution's F8Net weights with a fractional length per output channel (F8Net's {@code format_type:
 * per_channel}): channel c's codes are signed 8-bit, {@code q * 2^-fl[c]}, rounded half to even. As the weights of
 * a product ({@link F8NetFormat#fromProducts}) each output channel's accumulator then has {@code fl_in + fl[c]}
 * fractional bits, so each channel shifts to the output by its own amount.
 */
public final class F8NetWeights implements WeightsFormat {

    private final int[] fractionalBits;

    /** @param fractionalBits per output channel, each in {@link F8Net#MIN_FL}..{@link F8Net#MAX_FL} */
    public F8NetWeights(int... fractionalBits) {
        if (fractionalBits.length == 0) {
            throw new IllegalArgumentException("no output channel");
        }
        for (int fl : fractionalBits) {
            F8Net.checkedFl(fl);
        }
        this.fractionalBits = fractionalBits.clone();
    }

    /** Channel c's fractional length. */
    public int fractionalBits(int channel) {
        return fractionalBits[channel];
    }

    @Override
    public int bitwidth() {
        return F8Net.BITS;
    }

    @Override
    public int channels() {
        return fractionalBits.length;
    }

    @Override
    public double step(int channel) {
        return Math.scalb(1.0, -fractionalBits[channel]);
    }

    @Override
    public int quantize(float x, int channel) {
        return Float.isNaN(x) ? 0 : F8Net.quantize(x, fractionalBits[channel], true);
    }

    @Override
    public int minCode() {
        return F8Net.minCode(true);
    }

    @Override
    public int maxCode() {
        return F8Net.maxCode(true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof F8NetWeights w && Arrays.equals(fractionalBits, w.fractionalBits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fractionalBits);
    }

    @Override
    public String toString() {
        return "F8Net signed weights, fl per output channel " + Arrays.toString(fractionalBits);
    }
}
