package xportdnn.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The top channel per position of a dense output, float against fixed point, on hand-computed cases. */
class DenseAgreementTest {

    /**
     * 3 channels over 4 positions (planes in C order). Float's top channels: 0, 1, 2, 2; fixed point's: 0, 1, 1,
     * 0 (its last position a tie of channels 0 and 2, which goes to the lower).
     */
    private static final float[] FLOAT = {
        5, 0, 0, 1,
        1, 4, 0, 0,
        0, 1, 3, 2};
    private static final float[] FIXED = {
        5, 0, 0, 2,
        1, 4, 3, 0,
        0, 1, 2, 2};

    @Test
    void agreementAndPerChannelIouByHand() {
        DenseAgreement d = new DenseAgreement(3);
        d.add(FLOAT, FIXED);
        assertEquals(4, d.positions());
        assertEquals(0.5, d.agreement(), 1e-12);
        // channel 0: float {0}, fixed {0, 3}: 1/2; channel 1: float {1}, fixed {1, 2}: 1/2; channel 2: float
        // {2, 3}, fixed {}: 0
        assertEquals((0.5 + 0.5 + 0) / 3, d.meanIoU(), 1e-12);
        assertEquals(3, d.presentChannels());
    }

    @Test
    void channelsNeitherNetPutsOnTopAreLeftOutOfTheMean() {
        DenseAgreement d = new DenseAgreement(4);
        float[] values = {
            1, 0,
            0, 1,
            0, 0,
            -1, -1};
        d.add(values, values);
        assertEquals(1, d.agreement(), 1e-12);
        assertEquals(1, d.meanIoU(), 1e-12);
        assertEquals(2, d.presentChannels());
    }

    @Test
    void shardsMergeExactly() {
        DenseAgreement whole = new DenseAgreement(3);
        whole.add(FLOAT, FIXED);
        whole.add(FLOAT, FLOAT);
        DenseAgreement a = new DenseAgreement(3);
        a.add(FLOAT, FIXED);
        DenseAgreement b = new DenseAgreement(3);
        b.add(FLOAT, FLOAT);
        a.merge(b);
        assertEquals(whole.agreement(), a.agreement(), 0);
        assertEquals(whole.meanIoU(), a.meanIoU(), 0);
        assertEquals(0.75, a.agreement(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> a.add(FLOAT, new float[8]));
        assertThrows(IllegalArgumentException.class, () -> a.merge(new DenseAgreement(2)));
    }
}
