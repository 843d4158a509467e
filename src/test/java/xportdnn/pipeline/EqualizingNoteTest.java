package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.equalize.CrossLayerEqualization.PairScales;
import xportdnn.equalize.EqualizationPair;

/** Bias absorption's part of the equalization note, by hand: what moved, nothing moved, pairs left. */
class EqualizingNoteTest {

    private static PairScales pair(String first, double[] absorbed, String notAbsorbed) {
        return new PairScales(new EqualizationPair(first, List.of(first + "_next")), new double[] {1, 1}, absorbed,
                notAbsorbed);
    }

    @Test
    void saysWhatMovedWhatDidNotAndWhatWasLeft() {
        assertEquals("; bias absorption (BatchNorm beta - 3 gamma) moved 2 channels of 2 pairs into the next "
                + "convolutions' biases (at most 0.750)", Equalizing.absorption(List.of(
                        pair("a", new double[] {0.75, 0}, null), pair("b", new double[] {0, 0.25}, null))));
        assertEquals("; bias absorption (BatchNorm beta - 3 gamma) moved nothing in 1 pair (no channel's beta - 3 "
                + "gamma is above 0), left 2 pairs where it would not be exact (b pads, ...)", Equalizing.absorption(
                        List.of(pair("a", new double[] {0, 0}, null), pair("b", null, "b pads"),
                                pair("c", null, "c pads"))));
        assertEquals("", Equalizing.absorption(List.of(pair("a", null, null))));
    }
}
