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
