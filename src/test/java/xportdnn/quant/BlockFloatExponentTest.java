package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BlockFloatExponentTest {

    /**
     * Four bins of width 1 (centres 0.5, 1.5, 2.5, 3.5), counts 2, 1, 1, 0; step 2, 1 level: centres round to
     * levels 0, 1, 1, 1 (0.25 -> 0, 0.75 -> 1, 1.25 -> 1 clipped to the top). Level 0 holds bin 0 alone (q = p);
     * level 1 holds 2 of mass over 2 nonempty bins: q = 1/4 each, p = 1/4 each. KL = 0.
     */
    @Test
    void aLevelWhoseBinsAreEvenCostsNothing() {
        assertEquals(0, BlockFloatExponent.divergence(new long[] {2, 1, 1, 0}, 1, 2, 1), 1e-12);
    }

    /**
     * Counts 3, 1 in one level: p = 3/4, 1/4; q = 1/2, 1/2. KL = 3/4 ln(3/2) + 1/4 ln(1/2) = 0.130812...
     */
    @Test
    void unevenBinsInOneLevelDiverge() {
        double expected = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
        assertEquals(expected, BlockFloatExponent.divergence(new long[] {3, 1}, 1, 4, 1), 1e-12);
        assertTrue(expected > 0);
    }

    /**
     * Counts 1, 1, 1, 1, step 1, 1 level: the clip (1) falls in bin 1, which takes the clipped mass: p = 1, 3, 0,
     * 0 (of 4). Centres 0.5 and 1.5 round to level 1 (half away, clipped): q = 1/2, 1/2. KL = 1/4 ln(1/2) + 3/4
     * ln(3/2): clipping costs.
     */
    @Test
    void clippedMassLandsOnTheLastKeptBin() {
        double expected = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertEquals(expected, BlockFloatExponent.divergence(new long[] {1, 1, 1, 1}, 1, 1, 1), 1e-12);
    }
}
