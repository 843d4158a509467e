package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The share of weights a uniform fl_params zeroes, as the refusal words it. */
class DynamicFixedExportShareTest {

    @Test
    void everyWeightZeroedIsAll() {
        assertEquals("all", DynamicFixedExport.share(432, 432));
    }

    @Test
    void aFewSurvivorsAreNeverShownAsAHundredPercent() {
        // 9,997 of 10,000 is 99.97%, which "%.0f" printed as 100%
        assertEquals("99.9%", DynamicFixedExport.share(9_997, 10_000));
        assertEquals("90.0%", DynamicFixedExport.share(9, 10));
    }
}
