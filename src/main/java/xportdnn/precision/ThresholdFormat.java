package xportdnn.precision;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * CHaiDNN's Xilinx (threshold) format, per spec/chaidnn-precision.md section 2: scale
 * {@code sf = th / (2^(bw-1) - 1)}, code {@code q = round(clamp(x, -th, th) / sf)} with C's {@code round} (half away
 * from zero), one threshold per channel for weights ({@code th_params}) or one for a whole activation tensor.
 * The arithmetic is float32 where the runtime's is ({@code sf} is a float computed in double from the float
 * threshold; the division by {@code sf} is a float division). A threshold of 0 makes every code 0, as the
 * runtime skips the division then.
 *
 * <p>Requantization, as the runtime prepares it (loadConvBiasTXT) and the device applies it: a per-channel
 * multiplier {@code M[c] = round(sf_w[c] * sf_in / sf_out * 2^22)} (float arithmetic), the bias clipped to
 * +-th_out, rounded to output codes and kept with 8 more fractional bits (8.8), which the device widens by 14 more
 * bits to line up with {@code accumulator x M}; the sum is shifted right by 22 with rounding half away from zero
 * and saturated to the output bitwidth. The device holds M in 24 and the 8.8 bias in 16 bits; the simulator keeps
 * them exact in {@code long} (it matters only above 8 bits, which the device does not run). A format {@link
 * #withFractionalBias with a fractional bias} (block floating point's) keeps the 8 fractional bits of that 8.8 bias
 * instead of rounding the bias to whole output codes.
 */
public final class ThresholdFormat implements NumberFormat {

    /** The fixed-point position of the runtime's multipliers ("10.22 format"). */
    public static final int SHIFT = 22;

    /** The extra fractional bits the runtime keeps in a bias (8.8). */
    static final int BIAS_FRACTION = 8;

    private final int bitwidth;
    private final float[] thresholds;
    private final float[] steps;
    /** The fixed-point position of this format's multipliers as a result format: {@link #SHIFT} on the device. */
    private final int shift;
    /** Whether a bias keeps {@link #BIAS_FRACTION} fractional bits of an output code (the runtime keeps none). */
    private final boolean fractionalBias;

    /**
     * @param bitwidth   total bits, 2..24
     * @param thresholds one per channel (or one for a whole tensor), each finite and at least 0
     */
    public ThresholdFormat(int bitwidth, float... thresholds) {
        this(SHIFT, false, bitwidth, thresholds);
    }

    private ThresholdFormat(int shift, boolean fractionalBias, int bitwidth, float... thresholds) {
        if (bitwidth < 2 || bitwidth > 24) {
            throw new IllegalArgumentException("bitwidth " + bitwidth + " is outside 2..24");
        }
        if (thresholds.length == 0) {
            throw new IllegalArgumentException("no threshold");
        }
        this.shift = shift;
        this.fractionalBias = fractionalBias;
        this.bitwidth = bitwidth;
        this.thresholds = thresholds.clone();
        this.steps = new float[thresholds.length];
        double levels = DynamicFixed.maxCode(bitwidth);
        for (int c = 0; c < thresholds.length; c++) {
            if (!(thresholds[c] >= 0) || Float.isInfinite(thresholds[c])) {
                throw new IllegalArgumentException("threshold " + thresholds[c] + " is not a finite number >= 0");
            }
            steps[c] = (float) (thresholds[c] / levels);
        }
    }

    /**
     * The same codes, with multipliers kept at {@code shift} fractional bits instead of the device's 22 when this
     * format requantizes: for schemes simulated beyond the device whose weight steps are much finer than the
     * device's ({@link AciqWeights}), so that their multipliers keep the device's relative precision.
     *
     * @param shift {@value #SHIFT}..29 (the bias keeps its 8.8 form)
     */
    public ThresholdFormat withShift(int shift) {
        if (shift < SHIFT || shift > 29) {
            throw new IllegalArgumentException("multiplier shift " + shift + " is outside " + SHIFT + "..29");
        }
        return new ThresholdFormat(shift, fractionalBias, bitwidth, thresholds);
    }

    /**
     * The same codes, with a bias kept to {@value #BIAS_FRACTION} fractional bits of an output code when this format
     * requantizes (the 8.8 bias the device adds, its fraction used), where CHaiDNN's runtime rounds the bias to
     * whole output codes. For block floating point, whose reference adds the bias to the products unrounded before
     * the output block is quantized: a bias rounded to whole codes is off by up to half a code, the same offset at
     * every position of the channel, which the classifier's average pooling keeps where it averages the rounding
     * noise away.
     */
    public ThresholdFormat withFractionalBias() {
        return new ThresholdFormat(shift, true, bitwidth, thresholds);
    }

    public float threshold(int channel) {
        return thresholds[channel];
    }

    @Override
    public int bitwidth() {
        return bitwidth;
    }

    @Override
    public int channels() {
        return thresholds.length;
    }

    @Override
    public double step(int channel) {
        return steps[channel];
    }

    @Override
    public int quantize(float x, int channel) {
        float th = thresholds[channel];
        if (th == 0) {
            return 0;
        }
        float clipped = Math.max(-th, Math.min(th, x));
        return (int) DynamicFixed.saturate(DynamicFixed.roundHalfAway(clipped / steps[channel]), bitwidth);
    }

    @Override
    public int[] quantize(float[] values, int perChannel) {
        if (thresholds.length > 1) {
            return NumberFormat.super.quantize(values, perChannel);
        }
        float th = thresholds[0];
        float step = steps[0];
        int[] codes = new int[values.length];
        if (th == 0) { // a threshold of 0 leaves every code 0
            return codes;
        }
        float negative = -th;
        int lo = minCode();
        int hi = maxCode();
        // blocks in parallel: the simulator quantizes a whole batch of images here (2.5 million values at batch 16),
        // but not within a share of a batch, whose thread the other shares' threads already leave one core
        int blocks = (values.length + BLOCK - 1) / BLOCK;
        IntStream range = IntStream.range(0, blocks);
        (blocks > 1 && !ShareThread.inShare() ? range.parallel() : range).forEach(b -> {
            for (int i = b * BLOCK; i < Math.min(values.length, (b + 1) * BLOCK); i++) {
                // clipped by comparisons, a third faster than Math.min/max on floats (JDK 17) and the same for every
                // float, NaN and signed zeros included, as th > 0
                float x = values[i];
                float clipped = x < negative ? negative : x > th ? th : x;
                double q = clipped / step; // a float32 division as the runtime's; |q| < 2^23: q +- 0.5 is exact in
                int r = (int) (q + Math.copySign(0.5, q)); // double, and truncation then rounds half away
                codes[i] = Math.max(lo, Math.min(hi, r));
            }
        });
        return codes;
    }

    /** Values one task of {@link #quantize(float[], int)} takes. */
    private static final int BLOCK = 1 << 16;

    @Override
    public float dequantize(int code, int channel) {
        return code * steps[channel];
    }

    /**
     * {@inheritDoc} A format of one threshold per output channel (block floating point with an exponent per
     * channel) gives each channel its own multiplier and bias. An input of several channels (the same) is read
     * aligned to its finest step ({@link ChannelAlignment}: the caller folds the alignment into the weight codes);
     * the multipliers then keep as many more fractional bits as its steps span, so that they are as precise as with
     * the coarsest step.
     */
    @Override
    public Requantizer fromProducts(NumberFormat input, NumberFormat weights, float[] bias) {
        int n = weights.channels();
        if (bias.length != n) {
            throw new IllegalArgumentException(bias.length + " biases for " + n + " weight channels");
        }
        float sfIn = (float) (input.channels() == 1 ? input.step(0) : ChannelAlignment.finestStep(input));
        int span = 0;
        for (int c = 0; input.channels() > 1 && c < input.channels(); c++) {
            span = Math.max(span, ChannelAlignment.shift(input, c));
        }
        int productShift = shift + span;
        long[] m = new long[n];
        long[] offset = new long[n];
        for (int c = 0; c < n; c++) {
            float sfOut = outputStep(c, n);
            float th = thresholds[thresholds.length == 1 ? 0 : c];
            float sfW = (float) weights.step(c);
            m[c] = (long) DynamicFixed.roundHalfAway(Math.scalb(sfW * sfIn / sfOut, productShift));
            // the bias in output codes, with BIAS_FRACTION fractional bits when kept (2^8: exact in float)
            float codes = Math.max(-th, Math.min(th, bias[c])) / sfOut * (fractionalBias ? 1 << BIAS_FRACTION : 1);
            long b = th == 0 ? 0 : (long) DynamicFixed.roundHalfAway(codes);
            offset[c] = (fractionalBias ? b : b << BIAS_FRACTION) << (productShift - BIAS_FRACTION);
        }
        return new Requantizer(m, offset, productShift, minCode(), maxCode());
    }

    /**
     * {@inheritDoc} Channel by channel when either format has a step per channel (both the same channels then).
     */
    @Override
    public Requantizer from(NumberFormat source) {
        int n = Math.max(source.channels(), thresholds.length);
        if (source.channels() != 1 && thresholds.length != 1 && source.channels() != thresholds.length) {
            throw new IllegalArgumentException("codes of " + source.channels() + " channels moved into " + this);
        }
        long[] m = new long[n];
        for (int c = 0; c < n; c++) {
            float ratio = (float) source.step(source.channels() == 1 ? 0 : c) / outputStep(c, n);
            m[c] = (long) DynamicFixed.roundHalfAway(ratio * (float) (1 << shift));
        }
        return new Requantizer(m, new long[n], shift, minCode(), maxCode());
    }

    @Override
    public NumberFormat channelRange(int from, int count) {
        return thresholds.length == 1 ? this
                : new ThresholdFormat(shift, fractionalBias, bitwidth, Arrays.copyOfRange(thresholds, from, from + count));
    }

    /**
     * The step of output channel {@code c} of {@code n} as a result format: one threshold for all, or one per
     * channel; each above 0.
     */
    private float outputStep(int c, int n) {
        int t = thresholds.length == 1 ? 0 : c;
        if ((thresholds.length != 1 && thresholds.length != n) || !(thresholds[t] > 0)) {
            throw new IllegalArgumentException("a result format of " + n + " channels needs one threshold above 0 or "
                    + "one per channel, not " + this);
        }
        return steps[t];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ThresholdFormat t && t.bitwidth == bitwidth && t.shift == shift
                && t.fractionalBias == fractionalBias && Arrays.equals(t.thresholds, thresholds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * bitwidth + shift) + Boolean.hashCode(fractionalBias)) + Arrays.hashCode(thresholds);
    }

    @Override
    public String toString() {
        return bitwidth + "-bit threshold " + (thresholds.length == 1
                ? String.format(Locale.ROOT, "%.9g", thresholds[0]) : thresholds.length + " channels")
                + (shift == SHIFT ? "" : " (multipliers >> " + shift + ")") + (fractionalBias ? " (fractional bias)" : "");
    }
}
