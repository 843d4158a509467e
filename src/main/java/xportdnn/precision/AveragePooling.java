package xportdnn.precision;

/**
 * The device's average pooling. The runtime turns every AVE Pooling into a job of the convolution engine
 * (OPCODE_AVRPOOL2CONV), which multiplies the sum S of a window's input codes (padding counts 0) by an 8-bit
 * multiplier m and a 16-bit per-plane scale a in its 24-bit signed accumulator, shifts the result right by s —
 * arithmetically and without the rounding constant its convolutions add, so it floors — and writes the low byte:
 * a result out of range wraps around instead of saturating. The divisor is the kernel's, whatever part of a
 * window covers padding or lies past the input (CHaiDNN: xi_init.cpp convInit and loadsf_avg_pool,
 * xi_dnn_conv_utils.hpp; design/conv/src/xi_convolution.hpp Conv3dTop).
 *
 * @param multiplier m as the engine reads it (a signed byte)
 * @param scale      a as the engine reads it (an unsigned 16-bit value)
 * @param shift      s
 * @param rescales   whether s depends on the output format, so the codes are written in it (else they keep the
 *                   input's scale)
 * @param container  bits of the code written: 8 on the device (6-bit codes live in 8-bit containers); a wider
 *                   format, which no CHaiDNN build runs, gets a container of its width and an accumulator as much
 *                   wider than the device's 24 bits
 * @param rounds     whether the shift rounds half away from zero instead of flooring: block floating point's
 *                   mantissas (algorithms.md E), not the device's pooling
 */
public record AveragePooling(int multiplier, int scale, int shift, boolean rescales, int container, boolean rounds) {

    /** The device's pooling, whose shift floors. */
    public AveragePooling(int multiplier, int scale, int shift, boolean rescales, int container) {
        this(multiplier, scale, shift, rescales, container, false);
    }

    /**
     * The fractional bits of DynamicFixed's multiplier. The shift fl_in + 8 - fl_out cannot go left, so the output
     * format may be at most this many bits finer than the input's.
     */
    public static final int MULTIPLIER_FRACTION = 8;

    /** The device's code container and the extra bits of its accumulator. */
    private static final int DEVICE_CONTAINER_BITS = 8;
    private static final int ACCUMULATOR_EXTRA_BITS = 16;

    /** The bits of the code the device writes for a pooling of {@code bitwidth}-bit values: its container. */
    public static int container(int bitwidth) {
        return Math.max(DEVICE_CONTAINER_BITS, bitwidth);
    }

    /**
     * Xilinx mode: m = 1, a = floor(2^16 / kh^2) (loadsf_avg_pool squares the kernel height), s = 16. The result
     * stays in the input's scale: the runtime does not use the layer's th_layer_out.
     */
    public static AveragePooling xilinx(int kernelH, int bitwidth) {
        return new AveragePooling(1, (1 << 16) / (kernelH * kernelH) & 0xFFFF, 16, false, container(bitwidth));
    }

    /**
     * DynamicFixed mode: m = 1/(kh kw) with 8 fractional bits, truncated (ConvertToFP), a = 1,
     * s = fl_in + 8 - fl_out: the result is written in the layer's output format.
     */
    public static AveragePooling dynamicFixed(int kernelH, int kernelW, int flIn, int flOut, int bitwidth) {
        return new AveragePooling((byte) ((1 << MULTIPLIER_FRACTION) / (kernelH * kernelW)), 1,
                flIn + MULTIPLIER_FRACTION - flOut, true, container(bitwidth));
    }

    /**
     * Block floating point ({@link BlockFloatScheme}): the device's Xilinx-mode factors with the kernel's whole area,
     * m = 1, a = floor(2^16 / area), and the shift {@code shift} that moves the result into the output's exponent,
     * rounding half away from zero as every BFP mantissa does (the device's floor would put every pooled value half
     * a step low on average, the same in every channel and image, which the classifier after it does not average
     * away).
     */
    public static AveragePooling blockFloat(int area, int shift, int bitwidth) {
        return new AveragePooling(1, (1 << 16) / area & 0xFFFF, shift, true, container(bitwidth), true);
    }

    /** The code the device writes for a window whose input codes sum to {@code sum}. */
    public int apply(long sum) {
        long accumulator = wrap(sum * multiplier * scale, container + ACCUMULATOR_EXTRA_BITS);
        return (int) wrap(shifted(accumulator), container);
    }

    /** v shifted right by {@link #shift}: floored, or rounded half away from zero when {@link #rounds}. */
    private long shifted(long v) {
        if (!rounds || shift == 0) {
            return v >> shift;
        }
        long magnitude = (Math.abs(v) + (1L << (shift - 1))) >> shift;
        return v < 0 ? -magnitude : magnitude;
    }

    /**
     * The true quotient for a window whose input codes sum to {@code sum}: the code {@link #apply} writes when it
     * does not wrap around.
     */
    public long quotient(long sum) {
        return shifted(sum * multiplier * scale);
    }

    /** Whether the code written for {@code sum} wrapped around (the true quotient is out of the container's range). */
    public boolean wraps(long sum) {
        return wraps(sum, apply(sum));
    }

    /** Whether {@code code}, what {@link #apply} wrote for {@code sum}, is not the true quotient: it wrapped around. */
    public boolean wraps(long sum, int code) {
        return code != quotient(sum);
    }

    /** v as a signed integer of {@code bits} bits: its low bits, sign-extended. */
    private static long wrap(long v, int bits) {
        return v << (64 - bits) >> (64 - bits);
    }

    /** Whether m x a is positive: for a window of one pixel (or two, in DynamicFixed) the runtime's factor overflows. */
    public boolean averages() {
        return multiplier * scale > 0;
    }
}
