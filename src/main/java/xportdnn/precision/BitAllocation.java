package xportdnn.precision;

import java.util.Arrays;

/**
 * ACIQ's per-channel bit allocation (algorithms.md D; Banner et al. 2019, section 4): under a total budget, channel
 * i gets a number of bins proportional to {@code alpha_i^(2/3)} (alpha_i its range), which minimises the summed
 * rounding noise {@code sum alpha_i^2 / bins_i^2}; its bitwidth is {@code M_i = log2(bins_i)}, rounded.
 *
 * <p>The budget is one of bits: the channels (all of one size in a layer) hold {@code B x channels} bits in all, as
 * B bits each would. So the real-valued widths are {@code B + log2(alpha_i^(2/3)) - mean_j log2(alpha_j^(2/3))}
 * (bins proportional to alpha^(2/3), their geometric mean 2^B), and the rounding keeps the sum exact: each width
 * rounded down, then the bits left over go one at a time to the channels with the largest fractional parts
 * (largest remainder), within the bounds; an all-zero channel gets the lower bound and no share.
 */
public final class BitAllocation {

    private BitAllocation() {
    }

    /** The real-valued widths before rounding (all-zero channels at {@code min}). */
    static double[] realWidths(double[] ranges, int budget, int min) {
        int n = ranges.length;
        int live = (int) Arrays.stream(ranges).filter(r -> r > 0).count();
        double[] x = new double[n];
        if (live == 0) {
            Arrays.fill(x, min);
            return x;
        }
        double target = ((double) budget * n - (double) min * (n - live)) / live;
        double meanLog = Arrays.stream(ranges).filter(r -> r > 0).map(BitAllocation::logBins).sum() / live;
        for (int i = 0; i < n; i++) {
            x[i] = ranges[i] > 0 ? target + logBins(ranges[i]) - meanLog : min;
        }
        return x;
    }

    /** {@code log2(alpha^(2/3))}. */
    private static double logBins(double alpha) {
        return 2.0 / 3.0 * Math.log(alpha) / Math.log(2);
    }

    /**
     * The widths of channels with ranges {@code ranges}, each within {@code min..max}, summing to
     * {@code budget x channels}.
     *
     * @throws IllegalArgumentException when the budget is outside the bounds or a range is negative or not finite
     */
    public static int[] allocate(double[] ranges, int budget, int min, int max) {
        if (min > budget || budget > max) {
            throw new IllegalArgumentException("budget " + budget + " outside " + min + ".." + max);
        }
        for (double r : ranges) {
            if (!(r >= 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("channel range " + r + " is not a finite number >= 0");
            }
        }
        double[] x = realWidths(ranges, budget, min);
        int[] m = new int[x.length];
        long left = (long) budget * x.length;
        for (int i = 0; i < x.length; i++) {
            m[i] = (int) Math.max(min, Math.min(max, Math.floor(x[i])));
            left -= m[i];
        }
        for (; left > 0; left--) {
            m[pick(x, m, true, max)]++;
        }
        for (; left < 0; left++) {
            m[pick(x, m, false, min)]--;
        }
        return m;
    }

    /**
     * The channel to widen (the largest {@code x - m} below {@code bound}) or narrow (the smallest above it); the
     * first on ties.
     */
    private static int pick(double[] x, int[] m, boolean widen, int bound) {
        int best = -1;
        for (int i = 0; i < x.length; i++) {
            if (m[i] == bound) {
                continue;
            }
            double r = x[i] - m[i];
            if (best < 0 || (widen ? r > x[best] - m[best] : r < x[best] - m[best])) {
                best = i;
            }
        }
        return best;
    }
}
