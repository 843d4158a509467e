package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ACIQ's weight bias correction and the integer codes that carry it, against hand-computed cases. */
class AciqWeightsTest {

    /**
     * W = 1, 2, 3, 4 quantized to Q = 1, 1, 3, 3: mu = 2.5 - 2 = 0.5; ||W - 2.5||^2 = 5, ||Q - 2||^2 = 4, so
     * xi = sqrt(5) / 2; corrected xi (Q + mu) = xi x (1.5, 1.5, 3.5, 3.5): its spread is W's (sqrt(5) about its mean).
     */
    @Test
    void correctionByHand() {
        double[] w = {1, 2, 3, 4};
        double[] q = {1, 1, 3, 3};
        AciqWeights.Correction k = AciqWeights.correction(w, q);
        assertEquals(0.5, k.meanShift(), 1e-15);
        assertEquals(Math.sqrt(5) / 2, k.scale(), 1e-15);
        double xi = Math.sqrt(5) / 2;
        double[] corrected = AciqWeights.correct(w, q);
        assertArrayEquals(new double[] {1.5 * xi, 1.5 * xi, 3.5 * xi, 3.5 * xi}, corrected, 1e-15);
        double mean = (1.5 + 3.5) / 2 * xi;
        double spread = 0;
        for (double v : corrected) {
            spread += (v - mean) * (v - mean);
        }
        assertEquals(5, spread, 1e-12);
    }

    /** Constant codes cannot be stretched: xi is 1, only the mean moves (W = 0.1, 0.3 -> Q = 0, 0: mu = 0.2). */
    @Test
    void constantCodesKeepTheirScale() {
        AciqWeights.Correction k = AciqWeights.correction(new double[] {0.1, 0.3}, new double[] {0, 0});
        assertEquals(1, k.scale());
        assertEquals(0.2, k.meanShift(), 1e-15);
    }

    /**
     * Two channels of 4 weights at a budget of 3 bits: ranges 1 and 8 get 2 and 4 bits (log2 alpha^(2/3) = 0, 2,
     * mean 1). Channel 0 (2 bits, threshold 1, step 1): W = 1, 0.4, -0.2, 0.6 -> q = 1, 0, 0, 1 (0.6 rounds up);
     * Q = 1, 0, 0, 1, mu = 0.45 - 0.5 = -0.05, ||W - 0.45||^2 = 0.75, ||Q - 0.5||^2 = 1, xi = sqrt(0.75); mean offset
     * rha(-0.05 x 128) = -6 (-6.4); codes 128 q - 6. Channel 1 (4 bits, threshold 8, step 8/7): W = 8, -1, 2, 0.5 ->
     * q = 7, -1, 2, 0 (-0.875, 1.75, 0.4375 rounded).
     */
    @Test
    void codesCarryTheWidthTheCorrectionAndTheMeanOffset() {
        float[] w = {1, 0.4f, -0.2f, 0.6f, 8, -1, 2, 0.5f};
        AciqWeights f = AciqWeights.of(w, 2, 3);
        assertEquals(2, f.bits(0));
        assertEquals(4, f.bits(1));
        assertArrayEquals(new int[] {128 - 6, -6, -6, 128 - 6}, f.quantize(new float[] {1, 0.4f, -0.2f, 0.6f}, 4));
        assertEquals(Math.sqrt(0.75) / 128, f.step(0), 1e-7);
        int[] codes = f.quantize(w, 4);
        // channel 1: Q = 8, -8/7, 16/7, 0; its mean offset and xi from those
        double s = 8.0 / 7;
        double[] q1 = {7 * s, -s, 2 * s, 0};
        AciqWeights.Correction k = AciqWeights.correction(new double[] {8, -1, 2, 0.5}, q1);
        int m = (int) Math.round(k.meanShift() / s * 128);
        assertArrayEquals(new int[] {7 * 128 + m, -128 + m, 2 * 128 + m, m}, java.util.Arrays.copyOfRange(codes, 4, 8));
        assertEquals(k.scale() * s / 128, f.step(1), 1e-7);
        // the values the device multiplies are the corrected weights, the mean to 1/128 of a step
        double[] corrected = AciqWeights.correct(new double[] {8, -1, 2, 0.5}, q1);
        for (int i = 0; i < 4; i++) {
            assertEquals(corrected[i], codes[4 + i] * f.step(1), k.scale() * s / 256);
        }
    }
}
