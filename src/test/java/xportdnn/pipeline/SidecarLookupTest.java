package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.PreprocessingFlags;
import xportdnn.model.FileDigest;
import xportdnn.model.ModelException;

/**
 * validate reads the sidecar once ({@link Sidecar#find}) and hands the lookup to its three uses (the weights check,
 * the excluded calibration draw, the preprocessing): with the file deleted after the lookup, each still acts on it.
 */
class SidecarLookupTest {

    @TempDir
    Path dir;

    @Test
    void theThreeUsesActOnTheOneLookupNotOnTheFile() throws Exception {
        Path prototxt = Files.copy(Path.of("examples/tinynet/deploy.prototxt"), dir.resolve("q.prototxt"));
        Path original = Path.of("examples/tinynet/tinynet.caffemodel");
        Path written = Files.write(dir.resolve("q.caffemodel"), new byte[] {1, 2, 3});
        Path other = Files.write(dir.resolve("other.caffemodel"), new byte[] {4, 5});
        Sidecar sidecar = new Sidecar(Sidecar.FORMAT, "xportdnn test", "2026-01-01T00:00:00Z",
                new Sidecar.DigestedFile(null, prototxt.toString(), FileDigest.of(prototxt)),
                new Sidecar.DigestedFile(null, written.toString(), FileDigest.of(written)), "Xilinx",
                new int[] {8, 8, 8}, null, "kl-j", true, false, false,
                List.of(new Sidecar.DigestedFile("--weights", original.toString(), FileDigest.of(original))),
                new Sidecar.RecordedPreprocessing(new int[] {3, 32, 32}, new int[] {2, 0, 1}, new int[] {2, 1, 0},
                        255f, new float[] {128, 128, 128}, null, 1f, "bilinear"),
                new Sidecar.CalibrationSet("examples/tinynet/images", 12, 12, 7L, null, "0"));
        Files.writeString(Sidecar.beside(prototxt), sidecar.toJson());

        Sidecar.Lookup lookup = Sidecar.find(prototxt);
        assertTrue(lookup.found(), lookup.problem());
        Files.delete(Sidecar.beside(prototxt));
        assertFalse(Sidecar.find(prototxt).found()); // read again, there is none

        List<Notice> warned = SidecarWeights.check(lookup, other);
        assertEquals(1, warned.size());
        assertTrue(warned.get(0).text().startsWith(other + " is not the caffemodel the export wrote with q.prototxt "
                + "(BatchNorm folded, " + written + ")"), warned.get(0).text());
        ModelException refused = assertThrows(ModelException.class, () -> SidecarWeights.check(lookup, original));
        assertTrue(refused.getMessage().contains("the caffemodel the export read"), refused.getMessage());

        SidecarCalibration.Applied draw = SidecarCalibration.apply(lookup, new ValidationSettings.Draw(8, 20181017L),
                false);
        assertEquals(12, draw.draw().size());
        assertEquals(7L, draw.draw().seed());

        PreprocessingFlags hand = new PreprocessingFlags(null, null, null, 1f, null, null, 1f);
        SidecarPreprocessing.Applied flags = SidecarPreprocessing.apply(lookup, hand, Set.of("--input_scale"));
        assertArrayEquals(new float[] {128, 128, 128}, flags.flags().meanValues());
        assertEquals(255f, flags.flags().rawScale());
        assertArrayEquals(new int[] {2, 1, 0}, flags.flags().channelSwap());
    }

    /** --no_sidecar: a lookup of none leaves the flags and the draw as given, and checks no weights. */
    @Test
    void noneLeavesEverythingAsGiven() {
        Sidecar.Lookup none = Sidecar.Lookup.none(Path.of("examples/tinynet/deploy.prototxt"));
        PreprocessingFlags hand = new PreprocessingFlags(null, null, null, 1f, new float[] {1, 2, 3}, null, 1f);
        assertSame(hand, SidecarPreprocessing.apply(none, hand, Set.of()).flags());
        ValidationSettings.Draw draw = new ValidationSettings.Draw(8, 1L);
        assertSame(draw, SidecarCalibration.apply(none, draw, false).draw());
        assertEquals(List.of(), SidecarWeights.check(none, Path.of("examples/tinynet/tinynet.caffemodel")));
    }
}
