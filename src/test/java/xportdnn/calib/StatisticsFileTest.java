package xportdnn.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.calib.proto.StatisticsProto;
import xportdnn.model.FileDigest;
import xportdnn.model.ModelException;

/** The statistics file keeps every number bit for bit, and refuses damaged or inconsistent content in one line. */
class StatisticsFileTest {

    @TempDir
    Path dir;

    /** Two layers by hand: one with values 0, -1, 2, 3.5 (range [0, 3.5]), one all zeros. */
    static SavedStatistics handMade() {
        float[] values = {0f, -1f, 2f, 3.5f};
        ActivationRange range = new ActivationRange();
        range.add(values, 0, values.length);
        BlobHistograms conv = new BlobHistograms(range, 3);
        conv.add(values, 0, values.length);
        ActivationRange zeros = new ActivationRange();
        zeros.add(new float[2], 0, 2);
        BlobHistograms relu = new BlobHistograms(zeros, 1);
        relu.add(new float[2], 0, 2);
        Map<String, BlobHistograms> layers = new LinkedHashMap<>();
        layers.put("conv", conv);
        layers.put("relu", relu);
        Map<String, String> preprocessing = new LinkedHashMap<>();
        preprocessing.put("--dims", "1,2,2");
        return new SavedStatistics("", "xportdnn test", new StatisticsOrigin("n.prototxt + n.caffemodel", "abc",
                true, "e1", preprocessing), List.of("a.png", "b.png"), List.of("a.png"), layers);
    }

    @Test
    void everyNumberSurvivesTheRoundTrip() throws Exception {
        Path file = Files.write(dir.resolve("s.stats"), StatisticsFile.encode(handMade()));
        SavedStatistics back = StatisticsFile.read(file);
        assertEquals(List.of("a.png", "b.png"), back.rangeImages());
        assertEquals(List.of("a.png"), back.images());
        assertNull(back.origin().differenceFrom(handMade().origin()));
        BlobHistograms conv = back.layers().get("conv");
        assertEquals(4, conv.range().count());
        assertEquals(3.5f, conv.range().maxAbs());
        assertEquals(0f, conv.range().minAbs());
        assertEquals(4.5, conv.range().sum());
        assertEquals(1 + 4 + 12.25, conv.range().sumSquares());
        // 3 bins over [0, 3.5]: edges 0, 1.1666666, 2.3333333, 3.5; |x| = 0, 1, 2, 3.5.
        assertArrayEquals(new long[] {2, 1, 1}, conv.sqrtRule().counts());
        assertEquals(1, conv.sqrtRule().zeros());
        assertEquals(BlobHistograms.FINE_BINS, conv.fine().bins());
        assertEquals(4, conv.fine().total());
        // mean 1.125: |0-1.125| + |-1-1.125| + |2-1.125| + |3.5-1.125| = 6.5
        assertEquals(6.5, conv.sumAbsDeviation(), 1e-12);
        assertNull(back.layers().get("relu").fine());
        assertEquals(2, back.layers().get("relu").range().count());
    }

    @Test
    void originsNameWhatDiffers() {
        StatisticsOrigin saved = handMade().origin();
        assertTrue(saved.differenceFrom(new StatisticsOrigin("m.prototxt + m.caffemodel", "abd", true, "e1",
                saved.preprocessing())).startsWith("saved from another net (n.prototxt + n.caffemodel)"));
        assertEquals("saved with --dims 1,2,2, this run has 1,4,4", saved.differenceFrom(new StatisticsOrigin(
                saved.net(), "abc", true, "e1", Map.of("--dims", "1,4,4"))));
    }

    /** The equalized weights' digest survives the file; runs that do not equalize, or equalize otherwise, differ. */
    @Test
    void equalizationIsPartOfTheOrigin() throws Exception {
        Path file = Files.write(dir.resolve("s.stats"), StatisticsFile.encode(handMade()));
        StatisticsOrigin saved = StatisticsFile.read(file).origin();
        assertEquals("e1", saved.equalizedDigest());
        assertEquals("saved from the net equalized across layers (--equalize), this run does not equalize",
                saved.differenceFrom(new StatisticsOrigin(saved.net(), "abc", true, "", saved.preprocessing())));
        assertEquals("saved from other equalized weights (--equalize of another xportdnn version), not this run's",
                saved.differenceFrom(new StatisticsOrigin(saved.net(), "abc", true, "e2", saved.preprocessing())));
        StatisticsOrigin plain = new StatisticsOrigin(saved.net(), "abc", true, null, saved.preprocessing());
        assertFalse(plain.equalized());
        assertEquals("saved from the net not equalized, this run equalizes it across layers (--equalize)",
                plain.differenceFrom(saved));
    }

    private Path withBody(UnaryOperator<StatisticsProto.CalibrationStatistics.Builder> change) throws Exception {
        StatisticsProto.StatisticsFile good = StatisticsProto.StatisticsFile.parseFrom(
                StatisticsFile.encode(handMade()));
        StatisticsProto.CalibrationStatistics.Builder body = StatisticsProto.CalibrationStatistics.parseFrom(
                good.getBody()).toBuilder();
        ByteString bytes = change.apply(body).build().toByteString();
        byte[] file = good.toBuilder().setBody(bytes).setSha256(ByteString.copyFrom(FileDigest.bytes(
                bytes.toByteArray()))).build().toByteArray();
        return Files.write(dir.resolve("bad.stats"), file);
    }

    private static void refused(Path file, String words) {
        String message = assertThrows(ModelException.class, () -> StatisticsFile.read(file)).getMessage();
        assertTrue(message.startsWith(file + ": ") && message.contains(words), message);
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void inconsistentContentWithAValidChecksumIsRefused() throws Exception {
        refused(withBody(b -> b.addImages("c.png")), "inconsistent image lists");
        refused(withBody(b -> b.addLayer(b.getLayer(0))), "layer 'conv' appears twice");
        refused(withBody(b -> b.setLayer(0, b.getLayer(0).toBuilder().setFine(
                b.getLayer(0).getFine().toBuilder().setCounts(3, -1L)))), "negative count in bin 3");
        refused(withBody(b -> b.setLayer(0, b.getLayer(0).toBuilder().setRange(
                b.getLayer(0).getRange().toBuilder().setMaxAbs(4f)))), "not laid out on the range");
        refused(withBody(b -> b.setLayer(1, b.getLayer(1).toBuilder().setFine(b.getLayer(0).getFine()))),
                "histograms of an all-zero output");
    }

    @Test
    void truncatedAlteredOrForeignFilesAreRefused() throws Exception {
        byte[] good = StatisticsFile.encode(handMade());
        for (int cut : new int[] {0, 1, good.length / 2, good.length - 1}) {
            Path file = Files.write(dir.resolve("cut" + cut + ".stats"), java.util.Arrays.copyOf(good, cut));
            String message = assertThrows(ModelException.class, () -> StatisticsFile.read(file)).getMessage();
            assertTrue(message.startsWith(file + ": "), message);
        }
        byte[] altered = good.clone();
        altered[good.length - 40] ^= 1;
        refused(Files.write(dir.resolve("altered.stats"), altered), "");
        refused(Files.write(dir.resolve("text.stats"), "name: \"LeNet\"\n".getBytes()), "");
        refused(Files.write(dir.resolve("future.stats"), StatisticsProto.StatisticsFile.parseFrom(good).toBuilder()
                .setFormat(StatisticsFile.FORMAT + 1).build().toByteArray()), "save them again");
    }
}
