package xportdnn.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AbsHistogramTest {

    private static float[] randomData(long seed, int n) {
        Random r = new Random(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (r.nextGaussian() * 3);
        }
        return d;
    }

    @Test
    void binsFollowTheEdgesByHand() {
        // [0, 4] on 4 bins: edges 0, 1, 2, 3, 4; a value on an edge goes to the bin above; 4 closes the last bin.
        AbsHistogram h = new AbsHistogram(4f, 4);
        h.add(new float[] {0f, -0.5f, 1f, 1.999f, -2f, 3.5f, 4f, 4.5f}, 0, 8);
        assertArrayEquals(new long[] {2, 2, 1, 2}, h.counts());
        assertEquals(1, h.zeros());
    }

    @Test
    void negativeValuesCountByTheirMagnitudeAndNonFiniteOnesAreLeftOut() {
        // [0, 2] on 2 bins: edges 0, 1, 2. -0 is a zero; NaN and the infinities fall in no bin.
        AbsHistogram h = new AbsHistogram(2f, 2);
        h.add(new float[] {-0f, -0.25f, Float.NaN, -1f, Float.POSITIVE_INFINITY, -2f, Float.NEGATIVE_INFINITY, 0f,
            -2.0000002f}, 0, 9);
        assertArrayEquals(new long[] {3, 2}, h.counts());
        assertEquals(2, h.zeros());
    }

    @Test
    void onlyTheGivenStretchIsCountedAndNothingLeavesItEmpty() {
        AbsHistogram h = new AbsHistogram(3f, 3);
        float[] data = {9f, 0.5f, 0f, 2.5f, 9f};
        h.add(data, 1, 0);
        assertArrayEquals(new long[] {0, 0, 0}, h.counts());
        assertEquals(0, h.zeros());
        h.add(data, 1, 3);
        assertArrayEquals(new long[] {2, 0, 1}, h.counts());
        assertEquals(1, h.zeros());
        assertEquals(3, h.total());
    }

    @Test
    void valuesOnAndBesideEveryFloatEdgeGoWhereALinearSearchPutsThem() {
        // Bin counts whose float32 edges round away from k * hi / nb, so the first guess of a bin is sometimes off
        for (int nb : new int[] {10, 777, 8192}) {
            float hi = 13.37f;
            float[] edges = new float[nb + 1];
            for (int k = 0; k < nb; k++) {
                edges[k] = (float) (k * ((double) hi / nb));
            }
            edges[nb] = hi;
            float[] values = new float[3 * (nb + 1)];
            for (int k = 0; k <= nb; k++) {
                values[3 * k] = Math.nextDown(edges[k]);
                values[3 * k + 1] = edges[k];
                values[3 * k + 2] = -Math.nextUp(edges[k]);
            }
            long[] expected = new long[nb];
            for (float v : values) {
                float a = Math.abs(v);
                for (int k = 0; k < nb; k++) {
                    if (edges[k] <= a && (a < edges[k + 1] || k == nb - 1 && a == hi)) {
                        expected[k]++;
                    }
                }
            }
            AbsHistogram h = new AbsHistogram(hi, nb);
            h.add(values, 0, values.length);
            assertArrayEquals(expected, h.counts(), nb + " bins");
            assertEquals(1, h.zeros(), "one exact zero (edge 0); nextDown(0) is negative and counted in bin 0");
        }
    }

    @Test
    void longStretchesWithHalfTheirValuesZeroCountAsANestedLoopDoes() {
        // Past one chunk of bins found before counting, starting mid-array: zeros at random, as after a ReLU
        Random r = new Random(6);
        float[] data = new float[10_001];
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextBoolean() ? 0f : (float) (r.nextGaussian() * 2);
        }
        float hi = 5f; // some values lie above it
        int nb = 50;
        long[] expected = new long[nb];
        long zeros = 0;
        for (int i = 3; i < data.length; i++) {
            float a = Math.abs(data[i]);
            zeros += a == 0 ? 1 : 0;
            for (int k = 0; k < nb; k++) {
                float lo = (float) (k * (5.0 / nb));
                float up = k == nb - 1 ? 5f : (float) ((k + 1) * (5.0 / nb));
                if (lo <= a && (a < up || k == nb - 1 && a == up)) {
                    expected[k]++;
                }
            }
        }
        AbsHistogram h = new AbsHistogram(hi, nb);
        h.add(data, 3, data.length - 3);
        assertArrayEquals(expected, h.counts());
        assertEquals(zeros, h.zeros());
    }

    @Test
    void twoMergedHistogramsHoldTheCountsOfTheUnionByHand() {
        AbsHistogram a = new AbsHistogram(4f, 4);
        a.add(new float[] {0f, 1.5f, -3.9f}, 0, 3);
        AbsHistogram b = new AbsHistogram(4f, 4);
        b.add(new float[] {0f, 0f, 4f, 0.5f, 7f}, 0, 5);
        a.merge(b);
        assertArrayEquals(new long[] {4, 1, 0, 2}, a.counts());
        assertEquals(3, a.zeros());
    }

    @Test
    void shardsMergeToTheSameHistogramAsOneRun() {
        float[] a = randomData(1, 5000);
        float[] b = randomData(2, 7000);
        AbsHistogram whole = new AbsHistogram(15f, 777);
        whole.add(a, 0, a.length);
        whole.add(b, 0, b.length);
        AbsHistogram first = new AbsHistogram(15f, 777);
        first.add(a, 0, a.length);
        AbsHistogram second = new AbsHistogram(15f, 777);
        second.add(b, 0, b.length);
        first.merge(second);
        assertArrayEquals(whole.counts(), first.counts());
        assertEquals(whole.zeros(), first.zeros());
    }

    @Test
    void coarseningIsExactlyTheCoarseHistogram() {
        float[] a = randomData(3, 20000);
        float hi = 13.37f;
        AbsHistogram fine = new AbsHistogram(hi, 8192);
        fine.add(a, 0, a.length);
        AbsHistogram coarse = new AbsHistogram(hi, 2048);
        coarse.add(a, 0, a.length);
        assertArrayEquals(coarse.counts(), fine.coarsen(4).counts());
    }

    @Test
    void rangesMergeExactly() {
        float[] a = randomData(4, 1000);
        float[] b = randomData(5, 3000);
        ActivationRange whole = new ActivationRange();
        whole.add(a, 0, a.length);
        whole.add(b, 0, b.length);
        ActivationRange x = new ActivationRange();
        x.add(a, 0, a.length);
        ActivationRange y = new ActivationRange();
        y.add(b, 0, b.length);
        x.merge(y);
        assertEquals(whole.count(), x.count());
        assertEquals(whole.maxAbs(), x.maxAbs());
        assertEquals(whole.minAbs(), x.minAbs());
        assertEquals(whole.mean(), x.mean(), 1e-12);
        assertEquals(whole.std(), x.std(), 1e-12);
    }
}
