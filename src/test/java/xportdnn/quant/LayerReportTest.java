package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LayerReportTest {

    @Test
    void fractionAboveReadsTheFineHistogram() {
        float[] d = new float[10_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = (i % 2 == 0 ? 1 : -1) * (i + 1) / 1000f; // |x| uniform on (0, 10]
        }
        var stats = TestStatistics.of(d);
        assertEquals(0.1, LayerReport.fractionAbove(stats, 9), 2e-4);
        assertEquals(0.75, LayerReport.fractionAbove(stats, 2.5), 2e-4);
        assertEquals(0.0001, LayerReport.fractionAbove(stats, 9.999), 2e-4);
        assertEquals(0, LayerReport.fractionAbove(stats, 10));
        assertEquals(0, LayerReport.fractionAbove(stats, 11));
    }

    @Test
    void zerosAreNeverAbove() {
        float[] d = new float[1000];
        for (int i = 0; i < 250; i++) {
            d[i] = 3; // 250 threes, 750 zeros
        }
        assertEquals(0.25, LayerReport.fractionAbove(TestStatistics.of(d), 0), 1e-12);
        assertEquals(0.25, LayerReport.fractionAbove(TestStatistics.of(d), 1e-6), 1e-12);
        assertEquals(0, LayerReport.fractionAbove(TestStatistics.of(new float[10]), 0));
        assertTrue(LayerReport.fractionAbove(TestStatistics.of(d), 2.9995) > 0.2);
    }
}
