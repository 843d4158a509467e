package xportdnn.precision;

import java.util.ArrayList;
import java.util.List;

/**
 * The device's BatchNorm/Scale pair run as an op of its own (OPCODE_BN: not fused into a Convolution, e.g. after
 * an Eltwise or a Concat) in DynamicFixed mode, from CHaiDNN's sources:
 * <ul>
 * <li>Which block each number comes from (software/xtract/xtract_opt.cpp at c7120e7,
 * {@code XGraphOpt::xi_opt_batchNorm}): the input format (bw/fl_layer_in) is the BatchNorm's; the output format
 * (bw/fl_layer_out), {@code scale_gamma_by_std_fl} and {@code scale_beta_fl} are the Scale's. The BatchNorm's
 * {@code batchnorm_mean_fl} and {@code batchnorm_variance_fl} and the Scale's {@code scale_gamma_fl} are not
 * used, nor a ReLU's block.</li>
 * <li>The host's constants (software/init/xi_init.cpp at 2ac2f2f, {@code convInit}, OPCODE_BN branch, and
 * xi_dnn_conv_utils.hpp at 271b3cc, {@code load_mean_gamma_beta}), three 16-bit arrays per channel, padded with
 * zeros to a multiple of 8 channels (the padding reaches no output): the mean at fl_in + 8 fractional bits and
 * beta at {@code scale_beta_fl} + 8, both truncated toward zero and wrapped to 16 bits ({@code ConvertToFP} of
 * xi_init.hpp, in float, then a cast to short); gamma / sqrtf(var + eps), computed in float, at
 * {@code scale_gamma_by_std_fl} + 8, rounded half away and saturated to 16 bits ({@code Trim2FixedPoint}). The
 * shifts: {@code norm_prec = fl_in + 8 + (scale_gamma_by_std_fl + 8) - fl_out} and
 * {@code norm_prec_3 = fl_in + 8 + (scale_gamma_by_std_fl + 8) - (scale_beta_fl + 8)}.</li>
 * <li>The kernel (design/conv/src/xi_convolution.hpp at 452a5fa, {@code LoadDesc_ffa}: opcode 10 runs norm flag
 * set 3 alone; {@code ReadNormData}): per code x, {@code acc = ((x << 8) - mean) * gamma + (beta << norm_prec_3)}
 * in a 32-bit signed accumulator (ap_int&lt;32&gt;, wrapping), shifted right arithmetically (flooring) by
 * {@code norm_prec}, cut to 16 bits (ap_int&lt;16&gt;), saturated to the code range, then a ReLU whatever the net
 * says (flag set 3 has relu = 1). The shift fields are 5 bits (ap_uint&lt;5&gt;): a shift outside 0..31 wraps.
 * The kernel saturates to 6 bits when the layer's bw_layer_in is 6, else to 8; here the output format's range
 * is used, the same whenever bw_layer_in equals bw_layer_out, as every export for the device has it.</li>
 * </ul>
 */
public final class StandaloneBatchNorm {

    /** The fractional bits the runtime adds to the input's, gamma/sqrt(var+eps)'s and beta's in its constants. */
    public static final int EXTRA_FRACTION = 8;
    /** The largest shift the kernel's 5-bit shift fields hold. */
    public static final int MAX_SHIFT = 31;
    /** The constants' bits (HMEAN_TYPE, a short). */
    private static final int CONSTANT_BITS = 16;
    /** The largest fractional bits {@code ConvertToFP}'s {@code 1 << fbits} holds in a 32-bit int. */
    private static final int MAX_CONSTANT_FRACTION = 30;

    /** Per channel, the kernel's add operand: the mean's 16-bit constant negated in 16 bits. */
    private final short[] negatedMean;
    private final short[] gammaByStd;
    private final int[] betaTerm;
    private final int normPrec;
    private final int lower;
    private final int upper;
    private final List<String> overflows = new ArrayList<>();

    /**
     * The op for per-channel {@code mean}, {@code gammaByStd} (gamma / sqrt(var + eps) as the runtime computes it
     * in float) and {@code beta} (zeros for a Scale without bias) between the input format's {@code flIn} and the
     * output's {@code flOut} at {@code bwOut} bits.
     *
     * @throws IllegalArgumentException when a constant's fractional bits are outside 0..30, where the runtime's
     *                                  conversion is undefined, or the arrays differ in length
     */
    public StandaloneBatchNorm(float[] mean, float[] gammaByStd, float[] beta, int flIn, int gammaByStdFl,
            int betaFl, int flOut, int bwOut) {
        if (gammaByStd.length != mean.length || beta.length != mean.length) {
            throw new IllegalArgumentException("per-channel values differ in count: " + mean.length + " means, "
                    + gammaByStd.length + " gamma/sqrt(var+eps), " + beta.length + " betas");
        }
        int meanFraction = constantFraction("fl_layer_in", flIn);
        int gammaFraction = constantFraction("scale_gamma_by_std_fl", gammaByStdFl);
        int betaFraction = constantFraction("scale_beta_fl", betaFl);
        int np = normPrec(flIn, gammaByStdFl, flOut);
        int np3 = betaShift(flIn, gammaByStdFl, betaFl);
        checkShift("norm_prec = fl_layer_in + scale_gamma_by_std_fl + 16 - fl_layer_out", np);
        checkShift("norm_prec_3 = fl_layer_in + scale_gamma_by_std_fl + 8 - scale_beta_fl", np3);
        normPrec = np & MAX_SHIFT;
        int channels = mean.length;
        negatedMean = new short[channels];
        this.gammaByStd = new short[channels];
        this.betaTerm = new int[channels];
        for (int c = 0; c < channels; c++) {
            negatedMean[c] = (short) -wrapped("mean", c, convertToFp(mean[c], meanFraction)); // ap_int<16>
            long g = DynamicFixed.quantize(gammaByStd[c], CONSTANT_BITS, gammaFraction);
            if (g != DynamicFixed.quantize(gammaByStd[c], DynamicFixed.MAX_BITWIDTH, gammaFraction)) {
                overflows.add("gamma/sqrt(var+eps) of channel " + c + " saturates its 16-bit constant");
            }
            this.gammaByStd[c] = (short) g;
            short b = wrapped("beta", c, convertToFp(beta[c], betaFraction));
            // beta times the kernel's C int 1 << norm_prec_3 (1 << 31 is -2^31), cut to the 32-bit operand
            betaTerm[c] = (int) ((long) b * (1 << (np3 & MAX_SHIFT)));
        }
        lower = (int) DynamicFixed.minCode(bwOut);
        upper = (int) DynamicFixed.maxCode(bwOut);
    }

    /** The kernel's {@code norm_prec} before its 5-bit field cuts it: fl_in + 8 + (gamma_by_std_fl + 8) - fl_out. */
    public static int normPrec(int flIn, int gammaByStdFl, int flOut) {
        return flIn + EXTRA_FRACTION + gammaByStdFl + EXTRA_FRACTION - flOut;
    }

    /** The kernel's {@code norm_prec_3}, beta's left shift, before its 5-bit field cuts it: fl_in + gfl + 8 - bfl. */
    public static int betaShift(int flIn, int gammaByStdFl, int betaFl) {
        return flIn + EXTRA_FRACTION + gammaByStdFl + EXTRA_FRACTION - (betaFl + EXTRA_FRACTION);
    }

    /**
     * The largest fl at which all of {@code values} fit the runtime's 16-bit constant at fl + 8 fractional bits (no
     * wrap, no saturation), within the fractional bits its conversion holds (fl + 8 at most 30).
     */
    public static int largestConstantFl(float[] values) {
        return Math.min(DynamicFixed.largestFl(values, CONSTANT_BITS), MAX_CONSTANT_FRACTION) - EXTRA_FRACTION;
    }

    /**
     * The first channel whose mean wraps in its 16-bit constant at the input format's {@code flIn} + 8 fractional
     * bits (a mean beyond that format's range), or -1; fl_in is the BatchNorm's input format, so nothing else moves it.
     */
    public static int firstWrappedMean(float[] mean, int flIn) {
        int fraction = constantFraction("fl_layer_in", flIn);
        for (int c = 0; c < mean.length; c++) {
            int code = convertToFp(mean[c], fraction);
            if (code != (short) code) {
                return c;
            }
        }
        return -1;
    }

    /** The output code of input code {@code x} (in the BatchNorm's input format) in channel {@code channel}. */
    public int apply(int x, int channel) {
        int centred = (x << EXTRA_FRACTION) + negatedMean[channel]; // ap_int<17>: exact
        int acc = (int) ((long) centred * gammaByStd[channel] + betaTerm[channel]); // ap_int<32>: wraps
        int cut = (short) (acc >> normPrec); // ap_int<16>
        int saturated = Math.max(lower, Math.min(upper, cut));
        return Math.max(0, saturated); // norm flag set 3: relu = 1
    }

    /** The channels it was made for. */
    public int channels() {
        return negatedMean.length;
    }

    /** The shifts that wrap in the kernel's 5-bit fields and the constants that wrap or saturate, one line each. */
    public List<String> overflows() {
        return List.copyOf(overflows);
    }

    /** {@code fl} + 8, the fractional bits of a 16-bit constant, within what the runtime's conversion holds. */
    private static int constantFraction(String field, int fl) {
        int fraction = fl + EXTRA_FRACTION;
        if (fraction < 0 || fraction > MAX_CONSTANT_FRACTION) {
            throw new IllegalArgumentException(field + " " + fl + " gives the runtime's 16-bit BatchNorm constant "
                    + fraction + " fractional bits; its conversion (ConvertToFP) holds 0.." + MAX_CONSTANT_FRACTION);
        }
        return fraction;
    }

    private void checkShift(String what, int shift) {
        if (shift < 0 || shift > MAX_SHIFT) {
            overflows.add(what + " is " + shift + ", outside the kernel's 5-bit field (0.." + MAX_SHIFT
                    + "): it shifts by " + (shift & MAX_SHIFT));
        }
    }

    private short wrapped(String what, int channel, int code) {
        if (code != (short) code) {
            overflows.add(what + " of channel " + channel + " is " + code + " at its fractional bits and wraps in "
                    + "its 16-bit constant");
        }
        return (short) code;
    }

    /**
     * The runtime's {@code ConvertToFP(f, (short) f, fbits)} (software/init/xi_init.hpp): the whole part shifted
     * plus the fraction scaled, added in float and truncated toward zero.
     */
    private static int convertToFp(float f, int fbits) {
        int whole = (short) (int) f;
        return (int) ((whole << fbits) + (f - (float) whole) * (1 << fbits));
    }
}
