package xportdnn.tune;

/**
 * Chooses, for one output channel, the integer code of each weight so that the channel's output on the
 * calibration inputs stays closest to the float output. With the layer's input statistics the squared output
 * error is a quadratic in the weight codes q: {@code E(q) = s^2 q'Hq - 2 s q'g + const}, H the second moments of
 * the quantized inputs and g their cross moments with the float inputs applied to the float weights. The solver
 * starts from round-to-nearest and sweeps the coordinates, moving each code to its best integer given all others
 * (the vertex of the one-dimensional parabola, rounded, clamped to the code range); every accepted move lowers E,
 * so the result is never worse than plain rounding.
 *
 * <p>A code is not held to the two neighbours of its float weight (AdaRound's up-or-down, Nagel et al. 2020) but
 * may move further, as AdaQuant's weights do (Hubara et al. 2020): where the device's inputs carry much
 * quantization noise (6-bit activations deep in a net: 8-15 dB), the weights that fit the float output best are
 * not the float weights but a least-squares fit to the noisy inputs, often several steps away for the large
 * weights. The fit has K unknowns per channel against thousands of sampled positions, so it does not overfit.
 * Pure function of its arguments.
 */
final class RoundingSolver {

    /** Sweeps over all coordinates at most; a sweep that moves nothing ends the search. */
    static final int SWEEPS = 24;

    private RoundingSolver() {
    }

    /**
     * @param h       K x K second moments of the quantized inputs, row-major
     * @param g       K cross moments applied to the float weights: {@code E[x~ x'] w}
     * @param weights the float weights w (K)
     * @param start   the codes plain rounding gives (K); the search starts here
     * @param step    the real value of code 1
     * @param min     the smallest code
     * @param max     the largest code
     * @return codes, one per weight, in [min, max]
     */
    static int[] solve(double[] h, double[] g, float[] weights, int[] start, double step, int min, int max) {
        int k = weights.length;
        int[] q = start.clone();
        if (step == 0) {
            return q;
        }
        // r = H s q - g: the gradient of E / (2 s) in real units
        double[] r = new double[k];
        for (int i = 0; i < k; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += h[i * k + j] * q[j];
            }
            r[i] = sum * step - g[i];
        }
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            boolean moved = false;
            for (int i = 0; i < k; i++) {
                double hii = h[i * k + i];
                if (!(hii > 0)) {
                    continue; // an input that is always 0: its weight does not matter
                }
                // E(q + d e_i) - E(q) = s^2 d^2 H_ii + 2 s d r_i, least at d = -r_i / (s H_ii)
                long target = Math.round(q[i] - r[i] / (step * hii));
                int best = (int) Math.max(min, Math.min(max, target));
                int d = best - q[i];
                if (d == 0) {
                    continue;
                }
                double delta = step * step * d * d * hii + 2 * step * d * r[i];
                if (!(delta < -1e-12 * step * step * hii)) {
                    continue;
                }
                q[i] = best;
                for (int j = 0; j < k; j++) {
                    r[j] += h[j * k + i] * step * d;
                }
                moved = true;
            }
            if (!moved) {
                break;
            }
        }
        return q;
    }
}
