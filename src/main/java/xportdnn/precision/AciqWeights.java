package xportdnn.precision;

/**
 * A convolution's weights as ACIQ quantizes them (algorithms.md D): each output channel c at its own bitwidth
 * {@code M_c} ({@link BitAllocation}, the layer's budget B bits per weight on average), symmetric with its largest
 * magnitude as threshold (the Xilinx format of M_c bits, {@link ThresholdFormat}), then bias-corrected: with
 * {@code Q(W_c)} the quantized values, {@code mu_c = mean(W_c) - mean(Q(W_c))} and
 * {@code xi_c = ||W_c - mean(W_c)|| / ||Q(W_c) - mean(Q(W_c))||} (1 when the codes are all equal), the weights the
 * device multiplies are {@code xi_c (Q(W_c) + mu_c)} ({@link #correct}).
 *
 * <p>So the device runs them in integers, a weight's code here is its M_c-bit code q shifted left by
 * {@link #MEAN_FRACTION} bits plus the channel's mean offset {@code m_c = rha(mu_c / step_c x 2^MEAN_FRACTION)},
 * with step {@code xi_c step_c / 2^MEAN_FRACTION}: the value is {@code xi_c (q step_c + m_c step_c / 2^7)}, the
 * corrected weight with mu_c to 1/128 of a step. The multiply-accumulate is then
 * {@code 2^7 sum(q x) + m_c sum(x)}: the stored codes stay M_c bits, plus a mean offset and a scale per channel.
 * ({@code |mu_c| <= step_c / 2}, as the threshold is the channel's largest magnitude, so a code has at most
 * {@code M_c + 7} bits.)
 */
public final class AciqWeights implements WeightsFormat {

    /** Fractional bits (of a channel's step) of the mean offset. */
    public static final int MEAN_FRACTION = 7;

    /** The narrowest width a channel gets: a signed code of 1 bit holds only 0. */
    public static final int MIN_BITS = 2;

    private final ThresholdFormat[] channels;
    private final int[] bits;
    private final int[] meanCodes;
    private final double[] steps;

    private AciqWeights(ThresholdFormat[] channels, int[] bits, int[] meanCodes, double[] steps) {
        this.channels = channels;
        this.bits = bits;
        this.meanCodes = meanCodes;
        this.steps = steps;
    }

    /**
     * The format of {@code weights} (the leading axis the output channels) at a budget of {@code budget} bits per
     * weight: widths within {@link #MIN_BITS}..{@link #maxBits}.
     */
    public static AciqWeights of(float[] weights, int outputChannels, int budget) {
        int n = weights.length / outputChannels;
        double[] ranges = new double[outputChannels];
        for (int c = 0; c < outputChannels; c++) {
            for (int i = c * n; i < (c + 1) * n; i++) {
                ranges[c] = Math.max(ranges[c], Math.abs(weights[i]));
            }
        }
        int[] bits = BitAllocation.allocate(ranges, budget, MIN_BITS, maxBits(budget));
        ThresholdFormat[] formats = new ThresholdFormat[outputChannels];
        int[] meanCodes = new int[outputChannels];
        double[] steps = new double[outputChannels];
        for (int c = 0; c < outputChannels; c++) {
            formats[c] = new ThresholdFormat(bits[c], (float) ranges[c]);
            double step = formats[c].step(0);
            double[] w = new double[n];
            double[] q = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = weights[c * n + i];
                q[i] = formats[c].quantize(weights[c * n + i], 0) * step;
            }
            Correction k = correction(w, q);
            meanCodes[c] = step == 0 ? 0
                    : (int) DynamicFixed.roundHalfAway(k.meanShift() / step * (1 << MEAN_FRACTION));
            steps[c] = k.scale() * step / (1 << MEAN_FRACTION);
        }
        return new AciqWeights(formats, bits, meanCodes, steps);
    }

    /** The widest width a channel gets at a budget of {@code budget} bits: twice the budget, at most 16. */
    public static int maxBits(int budget) {
        return Math.min(2 * budget, 16);
    }

    /**
     * The bias correction of one channel.
     *
     * @param meanShift {@code mu = mean(W) - mean(Q(W))}
     * @param scale     {@code xi = ||W - mean(W)|| / ||Q(W) - mean(Q(W))||}, 1 when Q(W) is constant
     */
    public record Correction(double meanShift, double scale) {
    }

    /** The correction of a channel with float weights {@code w} and quantized values {@code q}. */
    public static Correction correction(double[] w, double[] q) {
        double mw = mean(w);
        double mq = mean(q);
        double dw = 0;
        double dq = 0;
        for (int i = 0; i < w.length; i++) {
            dw += (w[i] - mw) * (w[i] - mw);
            dq += (q[i] - mq) * (q[i] - mq);
        }
        return new Correction(mw - mq, dq > 0 ? Math.sqrt(dw / dq) : 1);
    }

    /** The corrected weights {@code xi (Q(W) + mu)} of a channel. */
    public static double[] correct(double[] w, double[] q) {
        Correction k = correction(w, q);
        double[] out = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            out[i] = k.scale() * (q[i] + k.meanShift());
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    /** Channel c's stored width M_c. */
    public int bits(int channel) {
        return bits[channel];
    }

    /** The widest code the multiply-accumulate reads: the widest channel's bits plus the mean's fraction. */
    @Override
    public int bitwidth() {
        int widest = 0;
        for (int b : bits) {
            widest = Math.max(widest, b);
        }
        return widest + MEAN_FRACTION;
    }

    @Override
    public int channels() {
        return bits.length;
    }

    @Override
    public double step(int channel) {
        return steps[channel];
    }

    @Override
    public int quantize(float x, int channel) {
        return (channels[channel].quantize(x, 0) << MEAN_FRACTION) + meanCodes[channel];
    }

    @Override
    public String toString() {
        return "ACIQ weights, " + bits.length + " channels of " + java.util.Arrays.toString(bits) + " bits";
    }
}
