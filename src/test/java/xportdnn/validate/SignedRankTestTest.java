package xportdnn.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Wilcoxon's signed-rank statistic on hand-ranked differences. */
class SignedRankTestTest {

    /** Sizes 1..6 rank 1..6; the signed sum 1 - 2 + 3 + 4 - 5 + 6 = 7 over sqrt(6 * 7 * 13 / 6) = sqrt(91). */
    @Test
    void distinctSizesTakeTheirRanks() {
        SignedRankTest t = SignedRankTest.of(new double[] {1, -2, 3, 4, -5, 6});
        assertEquals(6, t.nonzero());
        assertEquals(4, t.positive());
        assertEquals(7 / Math.sqrt(91), t.z(), 1e-12);
    }

    /**
     * Zeros are left out; the three sizes 1 share ranks 1-3 (mean 2), the size 2 takes rank 4: the sum 2 + 2 - 2 + 4
     * = 6 over sqrt(4 * 5 * 9 / 6 - (27 - 3) / 12) = sqrt(28).
     */
    @Test
    void zerosAreLeftOutAndTiesShareTheirMeanRank() {
        SignedRankTest t = SignedRankTest.of(new double[] {0, 1, 1, 0, -1, 2});
        assertEquals(4, t.nonzero());
        assertEquals(3, t.positive());
        assertEquals(6 / Math.sqrt(28), t.z(), 1e-12);
    }

    @Test
    void mirroredDifferencesMirrorTheStatistic() {
        assertEquals(-7 / Math.sqrt(91), SignedRankTest.of(new double[] {-1, 2, -3, -4, 5, -6}).z(), 1e-12);
        assertEquals(0, SignedRankTest.of(new double[] {0, 0}).z());
        // one difference: rank 1 over sqrt(1 * 2 * 3 / 6)
        assertEquals(1, SignedRankTest.of(new double[] {3}).z(), 1e-12);
    }
}
