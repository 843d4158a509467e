package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import xportdnn.precision.FixedPointFormat;

/** Hand-computed cases of the up/down rounding choice and of one channel's tuning. */
class RoundingSolverTest {

    /**
     * Two strongly correlated inputs (covariance [[1, .9], [.9, 1]]), both weights 0.6, step 1. Rounding both to 1
     * errs by d = (.4, .4): d'Hd = .16 x 3.8 = .608; rounding one down, d = (.4, -.6) or (-.6, .4):
     * .16 + .36 - 2 x .9 x .24 = .088, the least of the four choices.
     */
    @Test
    void correlatedInputsRoundOneWeightDown() {
        double[] h = {1, .9, .9, 1};
        float[] w = {.6f, .6f};
        double[] g = {(1 + .9) * .6f, (.9 + 1) * .6f}; // H w: the device sees the float inputs here
        int[] codes = RoundingSolver.solve(h, g, w, new int[] {1, 1}, null, 1, -8, 7).codes();
        assertEquals(1, codes[0] + codes[1], "one weight rounds down");
        double d0 = codes[0] - .6;
        double d1 = codes[1] - .6;
        assertEquals(.088, d0 * d0 + d1 * d1 + 2 * .9 * d0 * d1, 1e-6);
    }

    /** Independent inputs: rounding to nearest is already best, and nothing moves. */
    @Test
    void independentInputsKeepNearestRounding() {
        double[] h = {2, 0, 0, 0, 1, 0, 0, 0, 3};
        float[] w = {.3f, -1.7f, 2.49f};
        double[] g = {2 * .3f, -1.7f, 3 * 2.49f};
        int[] nearest = {0, -2, 2};
        assertArrayEquals(nearest, RoundingSolver.solve(h, g, w, nearest, null, 1, -4, 3).codes());
    }

    /** A weight beyond the code range stays at the range's end; step 0.5 halves the codes' values. */
    @Test
    void codesStayInRange() {
        double[] h = {1};
        float[] w = {9f};
        int[] codes = RoundingSolver.solve(h, new double[] {9}, w, new int[] {7}, null, .5, -8, 7).codes();
        assertArrayEquals(new int[] {7}, codes);
    }

    /**
     * One input with E[x] = 2, E[x^2] = 5 seen exactly by the device; weight 0.5, bias 0, step 1: the runtime
     * rounds the weight to 1, an error of 0.5 x on every input: E[(.5x)^2] = 1.25 before. The bias that makes the
     * mean error zero is E[.5x - x] = -1, on the output grid (step 1/16: code -16); with it code 1 errs by
     * 1 - .5x, E[(1 - .5x)^2] = 1 - 2 + 1.25 = .25, and code 0 by 1 + .5x, far more, so the code stays.
     */
    @Test
    void biasCorrectionRemovesTheMeanError() {
        PatchStatistics.Moments m = new PatchStatistics.Moments(new double[] {5}, new double[] {5},
                new double[] {5}, new double[] {2}, new double[] {2});
        ChannelTuning.Result r = ChannelTuning.tune(ChannelTuning.Channel.of(ChannelTuning.Group.of(m),
                new float[] {.5f}, 0f), new int[] {1}, null, null, 1, -127, 127, new FixedPointFormat(8, 4));
        assertArrayEquals(new int[] {1}, r.codes());
        assertEquals(-16, r.biasCode());
        assertEquals(1.25, r.signal(), 1e-12);
        assertEquals(1.25, r.errorPlain(), 1e-12);
        assertEquals(.25, r.errorTuned(), 1e-12);
    }
}
