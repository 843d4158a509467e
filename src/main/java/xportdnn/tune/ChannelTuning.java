package xportdnn.tune;

import java.util.Arrays;
import xportdnn.precision.NumberFormat;

/**
 * Tunes one output channel of a convolution from its input moments: the weight codes ({@link RoundingSolver}) and
 * the bias, with the output error energy before (plain rounding, the bias as it was) and after. The device holds a
 * bias only to one output step (it is rounded to an output code, spec section 2), so the bias is chosen on that
 * grid: first the codes for a free bias, then, alternately, the grid bias nearest to the one that makes the mean
 * error zero (empirical bias correction, Nagel et al. 2019) and the codes best for that bias, whose rounding can
 * make up for the bias's grid. Errors are of the output before the activation. Pure function.
 */
final class ChannelTuning {

    /** Rounds of choosing the bias, then the codes for it; the choice settles after one or two. */
    private static final int ROUNDS = 3;

    /**
     * @param codes      the tuned weight codes
     * @param biasCode   the tuned bias as a code of the output format
     * @param signal     E[(w . x + b)^2]: the float output's energy
     * @param errorPlain E[(w . x + b - s q0 . x~ - b0)^2]: plain rounding q0, the device's rounding b0 of b
     * @param errorTuned the same with the tuned codes and bias
     * @param idealBias  the bias that makes the mean error of the tuned codes zero, before the grid rounds it
     */
    record Result(int[] codes, int biasCode, double signal, double errorPlain, double errorTuned, double idealBias) {
    }

    private ChannelTuning() {
    }

    /**
     * A group's input moments with the covariances the free-bias rounding reads: the same for every channel of the
     * group and every weight format tried, so made once.
     *
     * @param centered Cov(x~, x~) = E[x~ x~'] - E[x~] E[x~]' (K x K, row-major)
     * @param cross    Cov(x~, x) = E[x~ x'] - E[x~] E[x]'
     */
    record Group(PatchStatistics.Moments m, double[] centered, double[] cross) {

        static Group of(PatchStatistics.Moments m) {
            int k = m.q().length;
            double[] centered = new double[k * k];
            double[] cross = new double[k * k];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    centered[i * k + j] = m.qq()[i * k + j] - m.q()[i] * m.q()[j];
                    cross[i * k + j] = m.qx()[i * k + j] - m.q()[i] * m.x()[j];
                }
            }
            return new Group(m, centered, cross);
        }
    }

    /**
     * One output channel's float weights and bias with the products of the moments and the weights that do not
     * depend on the weight format: made once for all the formats tried.
     *
     * @param weights the channel's float weights (K, in patch order: input channel, kernel row, kernel column)
     * @param bias    the channel's float bias
     * @param crossW  Cov(x~, x) w
     * @param qxW     E[x~ x'] w
     * @param wxxw    w' E[x x'] w
     * @param xw      E[x] . w
     */
    record Channel(Group group, float[] weights, float bias, double[] crossW, double[] qxW, double wxxw, double xw) {

        static Channel of(Group group, float[] weights, float bias) {
            return of(group, weights, 0, 1, new float[] {bias})[0];
        }

        /**
         * Channels {@code first .. first + count - 1} of a convolution (weights in output channel order, K each),
         * all of this group: their products with the moments as three matrix products rather than a K x K
         * matrix-vector product per channel and moment.
         */
        static Channel[] of(Group group, float[] kernel, int first, int count, float[] bias) {
            PatchStatistics.Moments m = group.m();
            int k = m.q().length;
            double[] w = new double[count * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = kernel[first * k + i];
            }
            double[][] crossW = times(group.cross(), w, count);
            double[][] qxW = times(m.qx(), w, count);
            double[][] xxW = times(m.xx(), w, count);
            Channel[] out = new Channel[count];
            for (int c = 0; c < count; c++) {
                double[] wc = Arrays.copyOfRange(w, c * k, (c + 1) * k);
                out[c] = new Channel(group, Arrays.copyOfRange(kernel, (first + c) * k, (first + c + 1) * k),
                        bias[first + c], crossW[c], qxW[c], dot(wc, xxW[c]), dot(m.x(), wc));
            }
            return out;
        }
    }

    /**
     * A K x K matrix (row-major) times each of {@code count} vectors stored one after another: one matrix product.
     */
    static double[][] times(double[] matrix, double[] vectors, int count) {
        int k = vectors.length / count;
        double[][] out = new double[count][];
        double[] values = DoubleProducts.timesTransposed(vectors, count, k, matrix, k); // row c: A v_c
        for (int c = 0; c < count; c++) {
            out[c] = Arrays.copyOfRange(values, c * k, (c + 1) * k);
        }
        return out;
    }

    /**
     * @param channel      the channel with its group's moments
     * @param plain        the codes the runtime's rounding gives its weights
     * @param centeredPlain {@code Cov(x~, x~) plain}, or null to compute it here
     * @param qqPlain      {@code E[x~ x~'] plain}, or null to compute it here
     * @param step         the real value of weight code 1 in this channel
     * @param output       the layer's output format, in which the device holds the bias
     */
    static Result tune(Channel channel, int[] plain, double[] centeredPlain, double[] qqPlain, double step, int min,
                       int max, NumberFormat output) {
        PatchStatistics.Moments m = channel.group().m();
        float[] weights = channel.weights();
        float bias = channel.bias();
        int k = weights.length;
        double[] qqOfPlain = qqPlain != null ? qqPlain
                : RoundingSolver.moved(m.qq(), new int[k], new double[k], plain);
        // With the bias free only the covariances matter.
        int[] codes = RoundingSolver.solve(channel.group().centered(), channel.crossW(), weights, plain, centeredPlain,
                step, min, max).codes();
        double[] hq = RoundingSolver.moved(m.qq(), plain, qqOfPlain, codes); // E[x~ x~'] codes
        double floatMean = channel.xw() + bias;
        int biasCode = 0;
        for (int round = 0; round < ROUNDS; round++) {
            biasCode = output.quantize((float) (floatMean - step * dot(m.q(), values(codes, 1))), 0);
            // For a fixed bias b~ the error w.x + b - s q.x~ - b~ is a quadratic in q over the raw moments.
            double offset = bias - output.dequantize(biasCode, 0);
            double[] g = new double[k];
            for (int i = 0; i < k; i++) {
                g[i] = channel.qxW()[i] + offset * m.q()[i];
            }
            RoundingSolver.Solution next = RoundingSolver.solve(m.qq(), g, weights, codes, hq, step, min, max);
            if (Arrays.equals(next.codes(), codes)) {
                break;
            }
            codes = next.codes();
            hq = next.hq();
        }
        int plainBias = output.quantize(bias, 0);
        return new Result(codes, biasCode, signal(channel),
                error(channel, plain, qqOfPlain, step, output.dequantize(plainBias, 0)),
                error(channel, codes, hq, step, output.dequantize(biasCode, 0)),
                floatMean - step * dot(m.q(), values(codes, 1)));
    }

    /** E[(w . x + b)^2]: the energy of the output the channel's moments hold as its target. */
    static double signal(Channel channel) {
        float bias = channel.bias();
        return channel.wxxw() + 2 * bias * channel.xw() + (double) bias * bias;
    }

    /** E[(w . x + b - s q . x~ - deviceBias)^2] for any codes, from the channel's moments. */
    static double error(Channel channel, int[] codes, double step, double deviceBias) {
        return error(channel, codes, RoundingSolver.moved(channel.group().m().qq(), new int[codes.length],
                new double[codes.length], codes), step, deviceBias);
    }

    /** E[(w . x + b - s q . x~ - deviceBias)^2] from the raw moments; {@code hq} is E[x~ x~'] q. */
    private static double error(Channel channel, int[] codes, double[] hq, double step, double deviceBias) {
        PatchStatistics.Moments m = channel.group().m();
        double[] v = values(codes, step);
        double offset = channel.bias() - deviceBias;
        double e = channel.wxxw() - 2 * dot(v, channel.qxW()) + step * dot(v, hq)
                + 2 * offset * (channel.xw() - dot(m.q(), v)) + offset * offset;
        return Math.max(0, e);
    }

    private static double[] values(int[] codes, double step) {
        double[] v = new double[codes.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = codes[i] * step;
        }
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
