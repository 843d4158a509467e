package xportdnn.precision;

/**
 * How the device represents one tensor: signed integer codes of {@link #bitwidth()} bits, where code q of channel
 * c means q x {@link #step(int) step(c)}. A format decides how values become codes and, as the format a result is
 * written in, the integer arithmetic by which the device moves an accumulator or codes of another format into it
 * ({@link Requantizer}). That is all the simulator asks of a format, so further formats (block floating point,
 * F8Net's fixed-point formats...) plug in by implementing this interface.
 *
 * <p>Channels are the leading axis of the tensor a format describes (the output channels of convolution
 * weights); activations use one step for the whole tensor ({@link #channels()} == 1).
 */
public interface NumberFormat {

    /** Total bits of a code. */
    int bitwidth();

    /** How many channels have a step of their own; 1 when one step serves the whole tensor. */
    int channels();

    /** The value of code 1 in channel {@code channel}. */
    double step(int channel);

    /** The code of {@code x} in channel {@code channel}. */
    int quantize(float x, int channel);

    /** The value code {@code code} of channel {@code channel} stands for. */
    default float dequantize(int code, int channel) {
        return (float) (code * step(channel));
    }

    /** The smallest code a result saturates to ({@link DynamicFixed#minCode}). */
    default int minCode() {
        return (int) DynamicFixed.minCode(bitwidth());
    }

    /** The largest code a result saturates to ({@link DynamicFixed#maxCode}). */
    default int maxCode() {
        return (int) DynamicFixed.maxCode(bitwidth());
    }

    /**
     * The codes of a whole tensor whose channel c holds the {@code perChannel} values starting at
     * {@code c * perChannel} (the channel index wraps around, so a batch of activations works too).
     */
    default int[] quantize(float[] values, int perChannel) {
        int[] codes = new int[values.length];
        int channels = channels();
        for (int start = 0, c = 0; start < values.length; start += perChannel, c = (c + 1) % channels) {
            for (int i = start; i < Math.min(start + perChannel, values.length); i++) {
                codes[i] = quantize(values[i], c);
            }
        }
        return codes;
    }

    /** The values of a whole tensor laid out as in {@link #quantize(float[], int)}. */
    default float[] dequantize(int[] codes, int perChannel) {
        float[] values = new float[codes.length];
        int channels = channels();
        for (int start = 0, c = 0; start < codes.length; start += perChannel, c = (c + 1) % channels) {
            for (int i = start; i < Math.min(start + perChannel, codes.length); i++) {
                values[i] = dequantize(codes[i], c);
            }
        }
        return values;
    }

    /**
     * How the device turns, per output channel c, a sum of (input code x weight code of channel c) plus the
     * layer's bias into a code of this (per-tensor) format.
     *
     * @param input   the format of the input codes (one step)
     * @param weights the format of the weight codes, one step per output channel
     * @param bias    the bias of every output channel, in real units
     */
    Requantizer fromProducts(NumberFormat input, NumberFormat weights, float[] bias);

    /** How the device moves codes of {@code source} (one step) into this format. */
    Requantizer from(NumberFormat source);

    /**
     * The format of channels {@code from .. from + count - 1} of an activation blob in this format (the part a
     * Concat input fills): the format itself when one step serves the whole tensor.
     */
    default NumberFormat channelRange(int from, int count) {
        if (channels() != 1) {
            throw new UnsupportedOperationException(this + " has no per-channel activation form");
        }
        return this;
    }
}
