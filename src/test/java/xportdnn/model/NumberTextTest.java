package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumberTextTest {

    @Test
    void wholeNumbersLoseTheTrailingZero() {
        assertEquals("255", NumberText.of(255.0));
        assertEquals("255", NumberText.of(255f));
        assertEquals("-3", NumberText.of(-3.0));
        assertEquals("0", NumberText.of(0.0));
    }

    @Test
    void otherNumbersKeepTheirShortestText() {
        assertEquals("99.9", NumberText.of(99.9));
        assertEquals("0.5", NumberText.of(0.5));
        // a float's own text, not that of the double nearest to 0.1f (0.10000000149011612)
        assertEquals("0.1", NumberText.of(0.1f));
        assertEquals("0.00392", NumberText.of(0.00392f));
    }

    @Test
    void infiniteAndHugeValuesAreNotCutToALong() {
        assertEquals("Infinity", NumberText.of(Double.POSITIVE_INFINITY));
        assertEquals("1.0E20", NumberText.of(1e20));
        assertEquals("NaN", NumberText.of(Float.NaN));
    }
}
