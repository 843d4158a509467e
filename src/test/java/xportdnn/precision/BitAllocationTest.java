package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ACIQ's per-channel widths: bins proportional to alpha^(2/3) under the budget, hand-computed. */
class BitAllocationTest {

    /**
     * Ranges 1/8, 1, 1, 8: log2(alpha^(2/3)) = -2, 0, 0, 2 with mean 0, so at B = 4 the widths are exactly 2, 4, 4, 6
     * (bins 4, 16, 16, 64, proportional to 8^(-2/3), 1, 1, 8^(2/3)), 16 bits as 4 x 4.
     */
    @Test
    void exactWidthsNeedNoRounding() {
        assertArrayEquals(new int[] {2, 4, 4, 6}, BitAllocation.allocate(new double[] {0.125, 1, 1, 8}, 4, 2, 8));
    }

    /**
     * Ranges 1, 2, 4: log2(alpha^(2/3)) = 0, 2/3, 4/3, mean 2/3; real widths 3.33, 4, 4.67 (sum 12). Rounded down
     * 3, 4, 4 leaves one bit, which goes to the largest remainder (0.67, the third channel): 3, 4, 5.
     */
    @Test
    void theBitsLeftOverGoToTheLargestRemainders() {
        double[] x = BitAllocation.realWidths(new double[] {1, 2, 4}, 4, 2);
        assertArrayEquals(new double[] {10 / 3.0, 4, 14 / 3.0}, x, 1e-12);
        assertArrayEquals(new int[] {3, 4, 5}, BitAllocation.allocate(new double[] {1, 2, 4}, 4, 2, 8));
    }

    /** An all-zero channel takes the lower bound (2); the others share the remaining 10 bits: 4 + 0 - 1, 4 + 2 - 1. */
    @Test
    void allZeroChannelsTakeTheLowerBound() {
        assertArrayEquals(new int[] {2, 4, 6}, BitAllocation.allocate(new double[] {0, 1, 8}, 4, 2, 8));
        assertArrayEquals(new int[] {2, 2}, BitAllocation.allocate(new double[] {0, 0}, 2, 2, 4));
    }

    /** Whatever the ranges, the widths sum to the budget and stay within the bounds, wider for wider ranges. */
    @Test
    void theBudgetHoldsExactlyWithinTheBounds() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(64);
            int budget = 2 + r.nextInt(7);
            double[] ranges = new double[n];
            for (int i = 0; i < n; i++) {
                ranges[i] = Math.exp(r.nextGaussian() * (trial % 3 == 0 ? 6 : 1));
            }
            int max = Math.min(2 * budget, 16);
            int[] m = BitAllocation.allocate(ranges, budget, 2, max);
            assertEquals((long) budget * n, Arrays.stream(m).asLongStream().sum());
            for (int i = 0; i < n; i++) {
                assertTrue(m[i] >= 2 && m[i] <= max, Arrays.toString(m));
                for (int j = 0; j < n; j++) {
                    assertTrue(ranges[i] <= ranges[j] || m[i] >= m[j], "wider range, fewer bits: " + Arrays.toString(m));
                }
            }
        }
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BitAllocation.allocate(new double[] {1}, 9, 2, 8));
        assertThrows(IllegalArgumentException.class, () -> BitAllocation.allocate(new double[] {-1}, 4, 2, 8));
        assertThrows(IllegalArgumentException.class, () -> BitAllocation.allocate(new double[] {Double.NaN}, 4, 2, 8));
    }
}
