package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Block floating point (algorithms.md E) against hand-computed cases. */
class BlockFloatTest {

    /** max 0.9: e = floor(log2 0.9) = -1; 8-bit mantissa: step 2^(-1-8+2) = 2^-7, range 127/128. */
    @Test
    void exponentStepAndRangeOfABlock() {
        assertEquals(-1, BlockFloat.exponent(0.9));
        assertEquals(3, BlockFloat.exponent(8.0));
        assertEquals(0.0078125, BlockFloat.step(-1, 8));
        assertEquals(0.9921875, BlockFloat.threshold(-1, 8));
        assertEquals(3.5, BlockFloat.threshold(1, 4)); // (2^3 - 1) x 2^(1-4+2)
    }

    @Test
    void mantissasRoundHalfAwayAndClampSymmetrically() {
        assertEquals(64, BlockFloat.quantize(0.5, -1, 8));
        assertEquals(2, BlockFloat.quantize(1.5 * 0.0078125, -1, 8)); // half away from zero
        assertEquals(-2, BlockFloat.quantize(-1.5 * 0.0078125, -1, 8));
        assertEquals(-127, BlockFloat.quantize(-1.0, -1, 8)); // -(2^7 - 1), not -128
        assertEquals(7, BlockFloat.quantize(100, 1, 4));
    }

    /** The smallest exponent whose range holds a threshold: 127/128 -> -1, just above it -> 0, 0.5 -> -1. */
    @Test
    void theCoveringExponent() {
        assertEquals(-1, BlockFloat.exponentCovering(0.9921875, 8));
        assertEquals(0, BlockFloat.exponentCovering(0.9921876, 8));
        assertEquals(-1, BlockFloat.exponentCovering(0.5, 8));
        assertEquals(-2, BlockFloat.exponentCovering(0.496, 8)); // 127/256 = 0.49609375 holds it
    }

    /** The Xilinx format with the block's threshold gives the same codes: BFP runs on the device's arithmetic. */
    @Test
    void theXilinxFormatWithThePowerOfTwoThresholdIsTheSameQuantizer() {
        for (int m : new int[] {4, 6, 8}) {
            for (int e = -6; e <= 2; e++) {
                ThresholdFormat f = new ThresholdFormat(m, (float) BlockFloat.threshold(e, m));
                assertEquals(BlockFloat.step(e, m), f.step(0), 0);
                for (double x = -9; x <= 9; x += 0.0137) {
                    assertEquals(BlockFloat.quantize((float) x, e, m), f.quantize((float) x, 0), "m " + m + " e " + e
                            + " x " + x);
                }
            }
        }
    }
}
