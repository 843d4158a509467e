package xportdnn.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The bounds by hand: 100 images of 10 classes give 10 hits by guessing, standard deviation sqrt(100 * 0.1 * 0.9)
 * = 3, so hits must exceed 10 + 3 * 3 = 19 to stand clear of chance.
 */
class LabelCheckTest {

    @Test
    void aTopOneWithinThreeDeviationsOfGuessingIsNamedAsSuch() {
        String w = new LabelCheck(100, 19, 9, 10).warning().orElseThrow();
        assertTrue(w.contains("19.0% on 100 labelled images, no better than guessing (1 in 10)"), w);
        assertTrue(w.contains("--raw_scale") && w.contains("--channel_swap"), w);
        assertEquals(Optional.empty(), new LabelCheck(100, 20, 9, 10).warning());
    }

    @Test
    void labelsOneAboveThePredictionsAreNamedOneBased() {
        String w = new LabelCheck(100, 2, 73, 10).warning().orElseThrow();
        assertTrue(w.contains("label minus one on 73.0%") && w.contains("the label itself on 2.0%")
                && w.contains("counted from 1"), w);
        // clear of chance but not twice the hits on the label: the labels are not the likely cause
        assertEquals(Optional.empty(), new LabelCheck(100, 40, 30, 10).warning());
        // one below no clearer than chance: the plain near-chance warning
        assertTrue(new LabelCheck(100, 5, 19, 10).warning().orElseThrow().contains("no better than guessing"));
    }

    @Test
    void tooFewImagesOrOneClassSayNothing() {
        assertEquals(Optional.empty(), new LabelCheck(LabelCheck.MIN_IMAGES - 1, 0, 0, 10).warning());
        assertEquals(Optional.empty(), new LabelCheck(100, 0, 0, 1).warning());
        assertTrue(new LabelCheck(LabelCheck.MIN_IMAGES, 0, 0, 10).warning().isPresent());
    }
}
