package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** KL(softmax(f) || softmax(d)) on cases small enough to work out by hand. */
class ClassScoreDivergenceTest {

    @Test
    void twoClassesByHand() {
        // p = (1/2, 1/2); d = (0, ln 3) gives q = (1/4, 3/4):
        // KL = 1/2 ln((1/2)/(1/4)) + 1/2 ln((1/2)/(3/4)) = 1/2 ln(4/3) = 0.1438410...
        assertEquals(0.5 * Math.log(4.0 / 3), ClassScoreDivergence.of(new double[] {0, 0},
                new double[] {0, Math.log(3)}), 1e-12);
        assertEquals(0.14384103622589042, ClassScoreDivergence.of(new double[] {0, 0},
                new double[] {0, Math.log(3)}), 1e-12);
    }

    @Test
    void aShiftCommonToEveryClassCostsNothing() {
        double[] f = {1.5, -2, 7, 0.25};
        double[] shifted = {101.5, 98, 107, 100.25};
        assertEquals(0, ClassScoreDivergence.of(f, shifted), 1e-12);
    }

    @Test
    void anErrorOnTheTopClassesCostsMoreThanTheSameErrorFarBelow() {
        // Scores 10, 9 and -10: the same error of 1 on the runner-up (a tie at the top) or on the last class.
        double[] f = {10, 9, -10};
        double top = ClassScoreDivergence.of(f, new double[] {10, 10, -10});
        double bottom = ClassScoreDivergence.of(f, new double[] {10, 9, -9});
        assertTrue(top > 1000 * bottom, top + " vs " + bottom);
        // Scores far apart in magnitude do not overflow: (1000, 0) against (999, 0) is almost 0 either way.
        assertEquals(0, ClassScoreDivergence.of(new double[] {1000, 0}, new double[] {999, 0}), 1e-12);
    }

    @Test
    void refusesScoresOfDifferentLengths() {
        assertThrows(IllegalArgumentException.class, () -> ClassScoreDivergence.of(new double[2], new double[3]));
    }
}
