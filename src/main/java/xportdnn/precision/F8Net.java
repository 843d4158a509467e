package xportdnn.precision;

/**
 * F8Net's fixed-point numbers (algorithms.md F; Jin et al., ICLR 2022, snap-research/F8Net
 * {@code models/fix_quant_ops.py}): an 8-bit code q with fractional length fl means {@code q * 2^-fl}; signed codes
 * lie in [-127, 127], unsigned ones (a ReLU's output) in [0, 255]; values round half to even
 * ({@code torch.round}). The fractional length comes from a statistic s of the tensor:
 * {@code fl = floor(log2(c * N / s))}, N = 1 ({@link #fractionalLength}; compare's F8Net scheme instead takes the
 * fl of least squared error, section F's alternative, which the calibration images favoured: see
 * {@code quant.F8NetFormats}). Section F clamps fl to [0, 8 - signed]; here a format's fl may lie anywhere in
 * [{@value #MIN_FL}, {@value #MAX_FL}]: a fractional length is only the shift between layers, so one beyond
 * 8 - signed (or below 0) stays integer-only, and a post-training net's tensors are not of the unit scale F8Net's
 * training gives them (a folded first convolution's weights have a std near 0.003, fl 13). Pure functions, no
 * state.
 */
public final class F8Net {

    /** The only word length whose constants the paper publishes. */
    public static final int BITS = 8;

    /**
     * The accumulator word: F8Net's reference keeps a convolution output that a residual sum reads, and the sum, as
     * 32-bit accumulators ({@link F8NetFormat#wide}) and shifts them into the next convolution's 8-bit input.
     */
    public static final int ACCUMULATOR_BITS = 32;

    /** The statistics F8Net reads a tensor's format from, each with the paper's constants c (signed, unsigned). */
    public enum Statistic {
        /** Standard deviation: c = 40 signed, 70 unsigned. */
        STD(40, 70),
        /** Mean absolute value: c = 30 both. */
        MEAN_ABS(30, 30),
        /** Root mean square: c = 40 signed, 50 unsigned. */
        RMS(40, 50);

        private final int signedC;
        private final int unsignedC;

        Statistic(int signedC, int unsignedC) {
            this.signedC = signedC;
            this.unsignedC = unsignedC;
        }

        /** The constant c of this statistic for signed or unsigned codes. */
        public int c(boolean signed) {
            return signed ? signedC : unsignedC;
        }
    }

    private F8Net() {
    }

    /** The smallest fractional length a format may have (a step of 256). */
    public static final int MIN_FL = -8;
    /** The largest fractional length a format may have. */
    public static final int MAX_FL = 24;

    /** The largest fractional length of an accumulator: the sum of an input's and a weight's largest. */
    public static final int MAX_ACCUMULATOR_FL = 2 * MAX_FL;

    /**
     * {@code fl} when a format may have it.
     *
     * @throws IllegalArgumentException outside {@link #MIN_FL}..{@link #MAX_FL}
     */
    static int checkedFl(int fl) {
        if (fl < MIN_FL || fl > MAX_FL) {
            throw new IllegalArgumentException("F8Net fractional length " + fl + " is outside " + MIN_FL + ".."
                    + MAX_FL);
        }
        return fl;
    }

    /** Section F's largest fractional length: 8 - signed (7 for signed codes, 8 for unsigned). */
    public static int maxFl(boolean signed) {
        return BITS - (signed ? 1 : 0);
    }

    /**
     * {@code clamp(floor(log2(c / s)), MIN_FL, MAX_FL)} for statistic value {@code s} (N = 1); an all-zero tensor
     * (s = 0) gets section F's finest format, 8 - signed.
     */
    public static int fractionalLength(Statistic statistic, double s, boolean signed) {
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("statistic " + s + " is not a finite number >= 0");
        }
        if (s == 0) {
            return maxFl(signed);
        }
        int fl = Math.getExponent(statistic.c(signed) / s); // floor(log2) of a positive normal double, exactly
        return Math.max(MIN_FL, Math.min(MAX_FL, fl));
    }

    /** The smallest code: -127 signed, 0 unsigned. */
    public static int minCode(boolean signed) {
        return signed ? -maxCode(true) : 0;
    }

    /** The largest code: 127 signed, 255 unsigned. */
    public static int maxCode(boolean signed) {
        return (1 << (BITS - (signed ? 1 : 0))) - 1;
    }

    /** The code of {@code x}: {@code clamp(rhe(x * 2^fl), minCode, maxCode)}. */
    public static int quantize(double x, int fl, boolean signed) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("cannot quantize NaN");
        }
        return (int) Math.max(minCode(signed), Math.min(maxCode(signed), Math.rint(Math.scalb(x, fl))));
    }
}
