package xportdnn.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Per-channel statistics: laid out N x C x plane, and merged exactly from shards. */
class ChannelStatisticsTest {

    /** Two images of 2 channels x 2 values: channel 0 holds 1, -3, 0, 2; channel 1 only zeros. */
    private static final float[] BATCH = {1, -3, 0, 0, 0, 2, 0, 0};

    @Test
    void countsEachChannelOfEveryImage() {
        ChannelMaxima maxima = new ChannelMaxima(2);
        maxima.add(BATCH, 2);
        assertArrayEquals(new float[] {3, 0}, maxima.maxAbs());
        ChannelStatistics s = new ChannelStatistics(maxima.maxAbs());
        s.add(BATCH, 2);
        AbsHistogram h = s.histogram(0);
        assertEquals(4, java.util.Arrays.stream(h.counts()).sum());
        assertEquals(1, h.zeros());
        assertEquals(1, h.count(h.bins() - 1)); // |-3| in the last bin
        assertNull(s.histogram(1)); // an all-zero channel has no histogram
        assertThrows(IllegalArgumentException.class, () -> s.add(new float[] {1, 2, 3}, 2));
    }

    @Test
    void shardsMergeToTheWholeRun() {
        float[] first = {1, -3, 0, 0};
        float[] second = {0, 2, 0, 0};
        ChannelMaxima a = new ChannelMaxima(2);
        a.add(first, 2);
        ChannelMaxima b = new ChannelMaxima(2);
        b.add(second, 2);
        a.merge(b);
        ChannelMaxima whole = new ChannelMaxima(2);
        whole.add(BATCH, 2);
        assertArrayEquals(whole.maxAbs(), a.maxAbs());
        ChannelStatistics one = new ChannelStatistics(a.maxAbs());
        one.add(BATCH, 2);
        ChannelStatistics x = new ChannelStatistics(a.maxAbs());
        x.add(first, 2);
        ChannelStatistics y = new ChannelStatistics(a.maxAbs());
        y.add(second, 2);
        x.merge(y);
        assertArrayEquals(one.histogram(0).counts(), x.histogram(0).counts());
        assertEquals(one.histogram(0).zeros(), x.histogram(0).zeros());
    }
}
