package xportdnn.validate;

import java.util.Arrays;

/**
 * One image's classifier verdict: the best classes, best first, with their probabilities. Built from a row of
 * class scores that are either probabilities already (a Softmax output) or logits, turned into probabilities by
 * a softmax computed in double precision.
 *
 * @param classes       the top classes, best first (ties: the lower class id first)
 * @param probabilities their probabilities, in the same order
 */
public record Prediction(int[] classes, double[] probabilities) {

    /** How far a probability row may stray from [0, 1] and from summing to 1 (float32 rounding of a Softmax). */
    private static final double DISTRIBUTION_TOLERANCE = 1e-3;

    /** {@link #topLogOdds} of a row whose other classes all have probability 0 (beyond what a double holds). */
    public static final double SURE = 1000;

    public Prediction {
        if (classes.length == 0 || classes.length != probabilities.length) {
            throw new IllegalArgumentException(classes.length + " classes, " + probabilities.length + " probabilities");
        }
        classes = classes.clone();
        probabilities = probabilities.clone();
    }

    /**
     * The {@code k} best of the {@code count} scores at {@code scores[offset..]} (fewer when there are fewer
     * classes).
     *
     * @param softmax whether the scores are logits to turn into probabilities first
     */
    public static Prediction rank(float[] scores, int offset, int count, int k, boolean softmax) {
        double[] p = new double[count];
        for (int i = 0; i < count; i++) {
            p[i] = scores[offset + i];
        }
        if (softmax) {
            softmaxInPlace(p);
        }
        int n = Math.min(k, count);
        int[] top = new int[n];
        double[] best = new double[n];
        int filled = 0;
        for (int c = 0; c < count; c++) {
            // insertion into the sorted top list; strict > keeps the lower id first on ties
            int at = filled;
            while (at > 0 && p[c] > best[at - 1]) {
                at--;
            }
            if (at >= n) {
                continue;
            }
            int move = Math.min(filled, n - 1) - at;
            System.arraycopy(top, at, top, at + 1, move);
            System.arraycopy(best, at, best, at + 1, move);
            top[at] = c;
            best[at] = p[c];
            filled = Math.min(filled + 1, n);
        }
        return new Prediction(top, best);
    }

    /**
     * Whether every one of the {@code rows} rows of {@code classes} values is a probability distribution (values in
     * [0, 1], summing to 1): the output of a Softmax rather than logits.
     */
    public static boolean isDistribution(float[] values, int rows, int classes) {
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                float v = values[r * classes + c];
                if (!(v >= -DISTRIBUTION_TOLERANCE && v <= 1 + DISTRIBUTION_TOLERANCE)) {
                    return false;
                }
                sum += v;
            }
            if (Math.abs(sum - 1) > DISTRIBUTION_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    /**
     * How sure a row of class scores is of its best class: the log-odds {@code ln(p / (1 - p))} of its probability
     * p, computed from the other classes' probabilities (or, for logits, from the best logit against the log of
     * the others' exponentials) so that it stays exact where p rounds to 1. {@link #SURE} when every other class's
     * probability is 0.
     *
     * @param softmax whether the scores are logits rather than probabilities
     */
    public static double topLogOdds(float[] scores, int offset, int count, boolean softmax) {
        int best = offset;
        for (int i = offset + 1; i < offset + count; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        double shift = softmax ? scores[best] : 0;
        double others = 0;
        for (int i = offset; i < offset + count; i++) {
            if (i != best) {
                others += softmax ? Math.exp(scores[i] - shift) : scores[i];
            }
        }
        if (others == 0) {
            return SURE;
        }
        return softmax ? -Math.log(others) : Math.log(scores[best]) - Math.log(others);
    }

    public int top1() {
        return classes[0];
    }

    /** Whether {@code label} is among the top classes. */
    public boolean ranks(int label) {
        return Arrays.stream(classes).anyMatch(c -> c == label);
    }

    private static void softmaxInPlace(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.length; i++) {
            x[i] /= sum;
        }
    }
}
