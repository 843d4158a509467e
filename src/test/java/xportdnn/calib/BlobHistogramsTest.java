package xportdnn.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BlobHistogramsTest {

    /** Counts of |x| on nb equal bins over [0, hi] with numpy's float32 edges, by a linear search per value. */
    private static long[] counts(float[] data, int from, int to, float hi, int nb) {
        float[] edges = new float[nb + 1];
        for (int k = 0; k < nb; k++) {
            edges[k] = (float) (k * ((double) hi / nb));
        }
        edges[nb] = hi;
        long[] c = new long[nb];
        for (int i = from; i < to; i++) {
            float a = Math.abs(data[i]);
            for (int k = 0; k < nb; k++) {
                if (edges[k] <= a && (a < edges[k + 1] || k == nb - 1 && a == hi)) {
                    c[k]++;
                    break;
                }
            }
        }
        return c;
    }

    @Test
    void aStretchLongEnoughToFillOnSeveralThreadsGivesWhatOneLoopGives() {
        // 100,000 values (past the parallel threshold) from offset 7, then 10 more (on the calling thread alone)
        Random r = new Random(11);
        float[] data = new float[100_017];
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(3) == 0 ? 0f : (float) (r.nextGaussian() * 4);
        }
        ActivationRange range = new ActivationRange();
        range.add(data, 7, 100_010);
        BlobHistograms h = new BlobHistograms(range, 300);
        h.add(data, 7, 100_000);
        h.add(data, 100_007, 10);

        float hi = range.maxAbs();
        assertArrayEquals(counts(data, 7, 100_017, hi, 300), h.sqrtRule().counts());
        assertArrayEquals(counts(data, 7, 100_017, hi, BlobHistograms.FINE_BINS), h.fine().counts());
        long zeros = 0;
        for (int i = 7; i < 100_017; i++) {
            zeros += data[i] == 0 ? 1 : 0;
        }
        assertEquals(zeros, h.sqrtRule().zeros());
        assertEquals(zeros, h.fine().zeros());
        // the sum of |x - mean| in the order of one loop per call, as the calls added it: the same bits
        double mean = range.mean();
        double first = 0;
        for (int i = 7; i < 100_007; i++) {
            first += Math.abs(data[i] - mean);
        }
        double second = 0;
        for (int i = 100_007; i < 100_017; i++) {
            second += Math.abs(data[i] - mean);
        }
        assertEquals(Double.doubleToRawLongBits(first + second), Double.doubleToRawLongBits(h.sumAbsDeviation()));
    }
}
