package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BlockFloatExponentTest {

    private static final double D = BlockFloatExponent.SMOOTHING;

    /**
     * Four bins of width 1 (centres 0.5, 1.5, 2.5, 3.5), counts 2, 1, 1, 0; step 2, 1 level: the clip (2) falls in
     * bin 2, nothing lies past it; centres round to levels 0, 1, 1 (0.25 -> 0, 0.75 -> 1, 1.25 -> 1 clipped to the
     * top). Level 0 holds bin 0 alone (q = p); level 1 holds 2 of mass over 2 nonempty bins: q = 1/4 = p. Only the
     * smoothing separates Q from P: KL = sum p ln(p / ((1 - d) p + d / 3)).
     */
    @Test
    void aLevelWhoseBinsAreEvenCostsOnlyTheSmoothing() {
        double expected = 0.5 * Math.log(0.5 / ((1 - D) * 0.5 + D / 3))
                + 2 * 0.25 * Math.log(0.25 / ((1 - D) * 0.25 + D / 3));
        assertEquals(expected, BlockFloatExponent.divergence(new long[] {2, 1, 1, 0}, 0, 1, 2, 1), 1e-12);
        assertTrue(Math.abs(expected) < 1e-4);
    }

    /**
     * Counts 3, 1 in one level (step 4, clip 4 beyond both bins): p = 3/4, 1/4; q = 1/2, 1/2 before smoothing.
     * KL = 3/4 ln(3/4 / q') + 1/4 ln(1/4 / q') with q' = (1 - d) / 2 + d / 2 = 1/2: 3/4 ln(3/2) + 1/4 ln(1/2).
     */
    @Test
    void unevenBinsInOneLevelDiverge() {
        double expected = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
        assertEquals(expected, BlockFloatExponent.divergence(new long[] {3, 1}, 0, 1, 4, 1), 1e-12);
        assertTrue(expected > 0);
    }

    /**
     * Counts 1, 1, 1, 1, step 1, 1 level: the clip (1) falls in bin 1, bins 2 and 3 lie past it. All four centres
     * round to level 1 (mass 4), spread over the kept nonempty bins 0 and 1: q = 1/2, 1/2, 0, 0 before smoothing.
     * KL = 2 x 1/4 ln(1/4 / ((1 - d) / 2 + d / 4)) + 2 x 1/4 ln(1/4 / (d / 4)), about 4.26: the clipped half costs
     * far more than the rounding, unlike when the clipped mass was also folded into P's last kept bin.
     */
    @Test
    void aClippedTailCostsWhatItWeighsTimesLogOfTheSmoothing() {
        double expected = 0.5 * Math.log(0.25 / ((1 - D) * 0.5 + D / 4)) + 0.5 * Math.log(0.25 / (D / 4));
        assertEquals(expected, BlockFloatExponent.divergence(new long[] {1, 1, 1, 1}, 0, 1, 1, 1), 1e-12);
        assertTrue(expected > 4);
    }

    /**
     * The failure this guards against: with a step finer than a histogram bin every bin is its own level, so the
     * rounding costs nothing; a clip at a quarter of the range must still lose to one that keeps the whole range.
     */
    @Test
    void aFineStepDoesNotBuyAClip() {
        long[] flat = new long[64];
        java.util.Arrays.fill(flat, 10);
        double clipped = BlockFloatExponent.divergence(flat, 0, 1, 0.125, 127); // clip at 15.9 of 64
        double whole = BlockFloatExponent.divergence(flat, 0, 1, 0.5, 127);     // clip at 63.5
        assertTrue(whole < clipped, whole + " vs " + clipped);
    }

    /**
     * Counts 3, 1 of which 2 are exact zeros (all in bin 0), step 4, 1 level (the clip, 4, lies beyond both bins).
     * Zero is code 0 under every exponent, so the zeros are their own point, held exactly: p = q = 1/2. The other
     * two values (bins 0 and 1, both rounding to level 0) share level 0's mass 2/4 evenly: q = 1/4 = p. So only the
     * smoothing (over 3 nonempty points) separates Q from P: KL = 1/2 ln(1/2 / ((1 - d) / 2 + d / 3))
     * + 2 x 1/4 ln(1/4 / ((1 - d) / 4 + d / 3)), below 1e-4; spreading the zeros over level 0 too (the bug) gave
     * 3/4 ln(3/2) + 1/4 ln(1/2), about 0.13, as {@link #unevenBinsInOneLevelDiverge} computes.
     */
    @Test
    void exactZerosAreHeldExactly() {
        double expected = 0.5 * Math.log(0.5 / ((1 - D) * 0.5 + D / 3))
                + 0.5 * Math.log(0.25 / ((1 - D) * 0.25 + D / 3));
        assertEquals(expected, BlockFloatExponent.divergence(new long[] {3, 1}, 2, 1, 4, 1), 1e-12);
        assertTrue(Math.abs(expected) < 1e-4);
    }

    /**
     * The SqueezeNet failure (its first convolution's exponent was chosen 3 below the online one, clipping at an
     * eighth of the range): a ReLU output, ten times more exact zeros than other values, those flat over [0, 128) in
     * 1,024 bins of width 1/8. The online exponent (7: step 2, clip 254) must beat the one 3 below (step 1/4, clip
     * 31.75), which clips 3/4 of the nonzero values. When the zeros were spread evenly over level 0's bins (8 at step
     * 2, 1 at step 1/4), their cost made the clip win: KL 0.48 against 1.88.
     */
    @Test
    void aSpikeOfZerosDoesNotBuyAClip() {
        long[] relu = new long[1024];
        java.util.Arrays.fill(relu, 10);
        relu[0] += 100_000;
        double online = BlockFloatExponent.divergence(relu, 100_000, 0.125, 2, 127);
        double clipped = BlockFloatExponent.divergence(relu, 100_000, 0.125, 0.25, 127);
        assertTrue(online < clipped, online + " vs " + clipped);
    }
}
