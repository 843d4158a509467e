package xportdnn.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.ThresholdFormat;

class ValidationTest {

    private static final ValidationReport.Provenance PROVENANCE = new ValidationReport.Provenance("q.prototxt",
            "w.caffemodel", "val.txt", "xportdnn validate ...", "xportdnn 0.1.0", "2026-01-01T00:00:00Z");

    @Test
    void histogramOutlineLeavesEmptyBinsAsGaps() {
        double[][] xy = ValidationReport.outline(0, 1, new double[] {2, 0, 0, 5, 1});
        assertArrayEquals(new double[] {0, 1, 1, 3, 4, 4, 5}, xy[0]);
        assertArrayEquals(new double[] {2, 2, Double.NaN, 5, 5, 1, 1}, xy[1]);
    }

    @Test
    void formatsAreNamedAsTheDeviceTakesThem() {
        assertEquals("threshold 4.5 (8-bit)", ValidationReport.describe(new ThresholdFormat(8, 4.5f)));
        assertEquals("Q5.3 (8-bit)", ValidationReport.describe(new FixedPointFormat(8, 3)));
        assertEquals("Q-2.10 (8-bit)", ValidationReport.describe(new FixedPointFormat(8, 10)));
        assertEquals("float", ValidationReport.describe(null));
    }

    @Test
    void sqnrByHand() {
        Validation v = new Validation();
        // signal 3^2 + 4^2 = 25, noise 0.1^2 + 0.2^2 = 0.05: 10 log10(500) = 26.9897 dB
        v.addLayer("conv", new float[] {3, 4}, new float[] {3.1f, 3.8f});
        assertEquals(10 * Math.log10(25 / 0.05), v.layers().get(0).sqnrDb(), 1e-4);
        v.addLayer("exact", new float[] {1}, new float[] {1});
        assertEquals(Double.POSITIVE_INFINITY, v.layers().get(1).sqnrDb());
    }

    @Test
    void wrappedAveragesAddUpAcrossShardsAndOnlyLayersThatWrappedAreListed() {
        Validation a = new Validation();
        a.addWrappedAverages("pool5", 0);
        a.addWrappedAverages("pool10", 2);
        Validation b = new Validation();
        b.addWrappedAverages("pool10", 1);
        b.addWrappedAverages("pool5", 0);
        a.merge(b);
        assertEquals(Map.of("pool10", 3L), a.wrappedAverages());
        for (int i = 0; i < 4; i++) {
            a.addImage(OptionalInt.empty(), new float[] {1, 0}, new float[] {1, 0});
        }
        // 3 of 4 images
        assertEquals(List.of("layer 'pool10' wrapped a pooled code around in 3 images (75.00%): the device writes the "
                + "low bits of an average beyond its output format's range, so a large score comes out small or "
                + "negative there too"), a.wrappedAverageNotes());
    }

    @Test
    void accuracyAgreementAndMerging() {
        Validation a = new Validation();
        // label 1: float top-1 right; fixed has it second (top-5 only)
        a.addImage(OptionalInt.of(1), new float[] {0.1f, 0.8f, 0.1f}, new float[] {0.5f, 0.4f, 0.1f});
        Validation b = new Validation();
        // label 2: both right
        b.addImage(OptionalInt.of(2), new float[] {0, 0, 1}, new float[] {0, 0.2f, 0.8f});
        b.addImage(OptionalInt.empty(), new float[] {1, 0, 0}, new float[] {1, 0, 0});
        a.merge(b);
        assertEquals(3, a.images());
        assertEquals(new Validation.Accuracy(2, 2, 2), a.floatAccuracy());
        assertEquals(new Validation.Accuracy(1, 2, 2), a.fixedAccuracy());
        assertEquals(2 / 3.0, a.top1Agreement(), 1e-12);
    }

    @Test
    void topOneDropIntervalIsThePairedOneFromTheDiscordantImages() {
        float[] right = {0, 1};
        float[] wrong = {1, 0};
        Validation v = new Validation();
        Validation shard = new Validation();
        for (int i = 0; i < 3; i++) {
            v.addImage(OptionalInt.of(1), right, wrong); // float only
        }
        shard.addImage(OptionalInt.of(1), wrong, right); // fixed only
        for (int i = 0; i < 6; i++) {
            shard.addImage(OptionalInt.of(1), right, right);
        }
        shard.addImage(OptionalInt.empty(), right, wrong); // unlabelled: no part of the drop
        v.merge(shard);
        Validation.TopOneDrop d = v.topOneDrop();
        assertEquals(3, d.floatOnly());
        assertEquals(1, d.fixedOnly());
        assertEquals(10, d.labelled());
        // by hand: drop (3 - 1) / 10 = 0.2; variance ((3 + 1) / 10 - 0.2^2) / 10 = 0.036; half width 1.96 sqrt(0.036)
        assertEquals(0.2, d.drop(), 1e-12);
        assertEquals(0.2 - 0.371877, d.low(), 1e-6);
        assertEquals(0.2 + 0.371877, d.high(), 1e-6);
        assertEquals(v.floatAccuracy().top1Rate() - v.fixedAccuracy().top1Rate(), d.drop(), 1e-12);
    }

    @Test
    void tiesAtTheTopAreCountedPerSideAndMerge() {
        Validation v = new Validation();
        // fixed codes that cannot separate classes 1 and 2: the lower id wins the tie, float had class 2
        v.addImage(OptionalInt.of(2), new float[] {0.1f, 0.4f, 0.5f}, new float[] {0, 0.5f, 0.5f});
        Validation shard = new Validation();
        // a tie below the top is no tie of the top-1
        shard.addImage(OptionalInt.of(0), new float[] {0.6f, 0.2f, 0.2f}, new float[] {0.5f, 0.25f, 0.25f});
        shard.addImage(OptionalInt.empty(), new float[] {0.5f, 0.5f, 0}, new float[] {0.3f, 0.3f, 0.3f});
        v.merge(shard);
        assertEquals(1, v.floatTiedTop());
        assertEquals(2, v.fixedTiedTop());
        assertEquals(new Validation.Accuracy(1, 2, 2), v.fixedAccuracy());
    }

    @Test
    void topOneDropOfIdenticalPredictionsHasNoWidth() {
        Validation v = new Validation();
        v.addImage(OptionalInt.of(0), new float[] {1, 0}, new float[] {1, 0});
        v.addImage(OptionalInt.of(0), new float[] {0, 1}, new float[] {0, 1});
        Validation.TopOneDrop d = v.topOneDrop();
        assertEquals(0, d.drop());
        assertEquals(0, d.low());
        assertEquals(0, d.high());
        assertTrue(Double.isNaN(new Validation().topOneDrop().drop()));
    }

    @Test
    void reportIsOneSelfContainedPageWithChartsAndNumbers() {
        Validation v = new Validation();
        v.addLayer("conv1", new float[] {3, 4}, new float[] {3.1f, 3.8f});
        v.addLayer("relu1", new float[] {1, 2, 3}, new float[] {1, 2, 3.01f});
        v.addImage(OptionalInt.of(0), new float[] {0.9f, 0.1f}, new float[] {0.6f, 0.4f});
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i) * 5;
        }
        String html = ValidationReport.html("tinynet, Xilinx 8-bit", PROVENANCE, v,
                ScoredOutput.classScores("prob", 3), Map.of(),
                List.of(new ValidationReport.LayerSample("conv1", values, 4.5, "lowest SQNR")), List.of(), Set.of());
        assertEquals(2, embeddedImages(html), "SQNR chart and one histogram");
        assertTrue(html.contains("<td>float</td><td>100.00%</td>"), html);
        assertTrue(html.contains("<td>conv1</td><td>float</td><td>26.99</td>"), html);
        assertTrue(!html.contains("src=\"http"), "no external resources");

        String withCosts = ValidationReport.html("tinynet, Xilinx 8-bit", PROVENANCE, v,
                ScoredOutput.classScores("prob", 3), Map.of(), List.of(), List.of(
                new LayerCost.Cost("relu1", new ThresholdFormat(8, 4.5f), 60, 54)), Set.of());
        assertEquals(2, embeddedImages(withCosts), "SQNR chart and the cost chart");
        assertTrue(withCosts.contains("What each output costs alone"), withCosts);
    }

    private static int embeddedImages(String html) {
        Matcher images = Pattern.compile("src=\"data:image/png;base64,[A-Za-z0-9+/=]{1000,}\"").matcher(html);
        int count = 0;
        while (images.find()) {
            count++;
        }
        return count;
    }

    /** The count of scored photos carrying an EXIF orientation adds up across shards (Spark's tasks). */
    @Test
    void turnedImagesMergeByAdding() {
        Validation v = new Validation();
        Validation shard = new Validation();
        v.addTurned();
        shard.addTurned();
        shard.addTurned();
        v.merge(shard);
        assertEquals(3, v.turned());
        assertEquals(2, shard.turned());
    }
}
