package xportdnn.tune;

/**
 * Chooses, for one output channel, whether each weight rounds down or up (AdaRound's choice, Nagel et al. 2020),
 * so that the channel's output on the calibration inputs stays closest to the float output. With the layer's
 * input statistics the squared output error is a quadratic in the weight codes q:
 * {@code E(q) = s^2 q'Hq - 2 s q'g + const}, H the covariance of the quantized inputs and g their
 * cross-covariance with the float inputs applied to the float weights. The solver starts from round-to-nearest
 * and sweeps the coordinates, moving each code to the better of floor(w/s) and floor(w/s)+1 (within the code range)
 * given all others; every accepted move lowers E, so the result is never worse than plain rounding.
 * Pure function of its arguments.
 */
final class RoundingSolver {

    /** Sweeps over all coordinates; moves become rare after two or three. */
    static final int SWEEPS = 6;

    private RoundingSolver() {
    }

    /**
     * The codes chosen, with {@code H q} for them: what the next solve from these codes, or the error of these codes,
     * would otherwise compute again (K x K operations, ResNet-50's 3x3x512 convolutions: 21 million per channel).
     */
    record Solution(int[] codes, double[] hq) {
    }

    /**
     * @param h       K x K covariance of the quantized inputs, row-major (symmetric)
     * @param g       K cross-covariance applied to the float weights: {@code Cov(x~, x) w}
     * @param weights the float weights w (K)
     * @param start   the codes plain rounding gives (K); the search starts here
     * @param hStart  {@code H start}, or null to compute it here
     * @param step    the real value of code 1
     * @param min     the smallest code
     * @param max     the largest code
     * @return codes, one per weight, each floor(w/s) or floor(w/s)+1 clamped to [min, max] (or its start)
     */
    static Solution solve(double[] h, double[] g, float[] weights, int[] start, double[] hStart, double step, int min,
                          int max) {
        int k = weights.length;
        int[] q = start.clone();
        double[] hq = hStart != null ? hStart.clone() : multiply(h, q);
        if (step == 0) {
            return new Solution(q, hq);
        }
        // the gradient of E / (2 s) in real units is r = H s q - g = s hq - g
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            boolean moved = false;
            for (int i = 0; i < k; i++) {
                int down = (int) Math.max(min, Math.min(max, Math.floor(weights[i] / step)));
                int up = Math.min(max, down + 1);
                int best = q[i];
                double bestDelta = 0;
                double r = step * hq[i] - g[i];
                for (int candidate : new int[] {down, up}) {
                    int d = candidate - q[i];
                    if (d == 0) {
                        continue;
                    }
                    // E(q + d e_i) - E(q) = s^2 d^2 H_ii + 2 s d r_i
                    double delta = step * step * d * d * h[i * k + i] + 2 * step * d * r;
                    if (delta < bestDelta - 1e-12 * Math.abs(bestDelta)) {
                        bestDelta = delta;
                        best = candidate;
                    }
                }
                int d = best - q[i];
                if (d != 0) {
                    q[i] = best;
                    addRow(h, i, d, hq);
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
        }
        return new Solution(q, hq);
    }

    /**
     * {@code H to} from {@code H from} (symmetric H): adds column i of H times the code change for each code that
     * differs, K operations per changed code.
     */
    static double[] moved(double[] h, int[] from, double[] hFrom, int[] to) {
        double[] hq = hFrom.clone();
        for (int i = 0; i < to.length; i++) {
            if (to[i] != from[i]) {
                addRow(h, i, to[i] - from[i], hq);
            }
        }
        return hq;
    }

    /**
     * Adds {@code d} times column i of the symmetric H to {@code into}, read as its row i: contiguous, where a
     * column of a 4608 x 4608 matrix touches a cache line per value.
     */
    private static void addRow(double[] h, int i, int d, double[] into) {
        int k = into.length;
        int row = i * k;
        for (int j = 0; j < k; j++) {
            into[j] += h[row + j] * d;
        }
    }

    private static double[] multiply(double[] h, int[] q) {
        int k = q.length;
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += h[i * k + j] * q[j];
            }
            out[i] = sum;
        }
        return out;
    }
}
