package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import xportdnn.model.Blob;

class DynamicFixedFormatsTest {

    /**
     * |x| uniform on [0, 3.9] at 4 bits. fl 0 (step 1, nothing saturates) costs 1/12 per value; fl 1 (step 1/2,
     * largest value 3.5) costs 1/48 of rounding on 90% of values plus the clipped tail (10%, mean square 0.053):
     * about 0.024, the least; fl 2 saturates at 1.75 and costs far more. So fl 1: largest value 7 * 2^-1.
     */
    @Test
    void errorOptimalFormatOfAUniformBlob() {
        float[] v = new float[39_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i + 0.5f) / 10_000f;
        }
        assertEquals(3.5, new FixedPointErrorThreshold().threshold(ThresholdMethodsTest.statistics(v), 4), 0);
        assertEquals(1, DynamicFixed.largestFl(-3.5, 3.5, 4));
    }

    @Test
    void allZeroBlobGetsTheNeutralFormat() {
        double th = new FixedPointErrorThreshold().threshold(ThresholdMethodsTest.statistics(new float[10]), 8);
        assertEquals(0, th, 0);
        assertEquals(7, DynamicFixed.largestFl(-th, th, 8));
    }

    /**
     * Weights {0.9, -0.3, 0.05} at 4 bits: fl 2 saturates nothing (0.9 * 4 = 3.6 < 7.5) with squared error
     * 0.1^2 + 0.05^2 + 0.05^2 = 0.015; fl 3 saturates 0.9 to 7/8 and gives 0.025^2 + 0.05^2 + 0.05^2 = 0.005625;
     * fl 4 saturates 0.9 to 7/16 (0.214): worse. So fl 3.
     */
    @Test
    void weightFormatTradesOneSaturatedWeightForResolution() {
        assertEquals(3, DynamicFixedFormats.weightFl(new Blob(new int[] {3}, new float[] {0.9f, -0.3f, 0.05f}), 4));
    }
}
