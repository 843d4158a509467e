package xportdnn.validate;

import java.util.Arrays;

/**
 * Wilcoxon's signed-rank test of paired differences, in its normal approximation: whether the differences lean to
 * one side more than chance allows, weighing each by the rank of its size (so a few large differences count, and
 * no distribution is assumed). Zero differences are left out (Wilcoxon's rule), tied sizes share their mean rank,
 * and the variance is corrected for the ties.
 *
 * @param nonzero  the differences that are not zero
 * @param positive of them, the positive ones
 * @param z        the signed-rank sum over its standard deviation under "either sign alike" (0 with no nonzero
 *                 difference); positive when the positive differences outweigh the negative ones
 */
public record SignedRankTest(int nonzero, int positive, double z) {

    public static SignedRankTest of(double[] differences) {
        double[] sizes = Arrays.stream(differences).filter(d -> d != 0).map(Math::abs).sorted().toArray();
        double[] signed = Arrays.stream(differences).filter(d -> d != 0).toArray();
        int n = sizes.length;
        if (n == 0) {
            return new SignedRankTest(0, 0, 0);
        }
        double sum = 0;
        int positive = 0;
        for (double d : signed) {
            double rank = meanRank(sizes, Math.abs(d));
            sum += d > 0 ? rank : -rank;
            positive += d > 0 ? 1 : 0;
        }
        double variance = n * (n + 1.0) * (2 * n + 1) / 6;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sizes[j] == sizes[i]) {
                j++;
            }
            double t = j - i;
            variance -= (t * t * t - t) / 12;
            i = j;
        }
        return new SignedRankTest(n, positive, variance > 0 ? sum / Math.sqrt(variance) : 0);
    }

    /** The mean of the 1-based ranks that {@code size} takes among the sorted {@code sizes}. */
    private static double meanRank(double[] sizes, double size) {
        int first = lowerBound(sizes, size);
        int last = lowerBound(sizes, Math.nextUp(size)) - 1;
        return (first + last) / 2.0 + 1;
    }

    private static int lowerBound(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
