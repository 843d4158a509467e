package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.ThresholdFormat;

/** Which weight formats tuning tries: fl_params -1..+2, the exported first, only those the device can shift. */
class WeightFormatCandidatesTest {

    private static List<Integer> fl(List<NumberFormat> formats) {
        return formats.stream().map(f -> ((FixedPointFormat) f).fractionalBits()).toList();
    }

    @Test
    void triesOneCoarserAndTwoFinerFractionalLengths() {
        // fl_in -4 + fl_params >= fl_out -6 holds for every fl_params from 4 to 7
        assertEquals(List.of(5, 4, 6, 7), fl(WeightFormatCandidates.of(new FixedPointFormat(6, 5),
                new FixedPointFormat(6, -4), new FixedPointFormat(6, -6))));
    }

    @Test
    void skipsAFormatWhoseShiftWouldGoLeft() {
        // fl_in -4 + fl_params - fl_out 1 is -1 for fl_params 4: the device cannot shift left
        assertEquals(List.of(5, 6, 7), fl(WeightFormatCandidates.of(new FixedPointFormat(6, 5),
                new FixedPointFormat(6, -4), new FixedPointFormat(6, 1))));
    }

    @Test
    void xilinxKeepsItsThresholds() {
        NumberFormat weights = new ThresholdFormat(6, new float[] {1f, 2f});
        assertEquals(List.of(weights), WeightFormatCandidates.of(weights, new ThresholdFormat(6, new float[] {4f}),
                new ThresholdFormat(6, new float[] {8f})));
    }
}
