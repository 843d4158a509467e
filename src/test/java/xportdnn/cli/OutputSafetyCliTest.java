package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs never land on what a run reads: not on an image inside the image folder (the audit found the export's
 * --report written over a calibration image, exit 0), and a refused or failed output names its flag; a check that
 * can fail happens before the long work, not after it.
 */
class OutputSafetyCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";

    @TempDir
    Path dir;

    private Path images;
    private Path image;
    private byte[] imageBytes;

    @BeforeEach
    void copyImages() throws IOException {
        images = Files.createDirectories(dir.resolve("images"));
        try (Stream<Path> files = Files.list(Path.of("examples/tinynet/images"))) {
            for (Path f : files.toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        image = images.resolve("red_00.png");
        imageBytes = Files.readAllBytes(image);
    }

    private void assertRefused(CliRun run, String expected) throws IOException {
        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.stderr());
        List<String> lines = run.stderr().lines().filter(l -> !l.startsWith("xportdnn: note:")).toList();
        assertEquals(List.of("xportdnn: error: " + expected), lines, run.stderr());
        assertArrayEquals(imageBytes, Files.readAllBytes(image));
    }

    private static String inFolder(Path target, Path folder) {
        return "refusing to overwrite " + target + ": it is in the input folder " + folder
                + " (e.g. an image the run reads); write it elsewhere";
    }

    @Test
    void exportReportOverACalibrationImageIsRefused() throws IOException {
        Path q = dir.resolve("q.prototxt");
        assertRefused(CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--calibration_directory",
                images.toString(), "--mean_value", "128,128,128", "-q", "--quantized_deploy_model", q.toString(),
                "--report", image.toString()), "--report: " + inFolder(image, images));
        assertFalse(Files.exists(q));
    }

    @Test
    void inferPredictionsOverAnImageOfTheSetIsRefused() throws IOException {
        assertRefused(CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                images.toString(), "--mean_value", "128,128,128", "-q", "--predictions", image.toString()),
                "--predictions: " + inFolder(image, images));
    }

    @Test
    void aNewFileInTheImageFolderIsAllowed() throws IOException {
        Path predictions = images.resolve("predictions.tsv");
        CliRun run = CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                images.toString(), "--mean_value", "128,128,128", "-q", "--predictions", predictions.toString());
        assertEquals(0, run.status(), run.stderr());
        assertTrue(Files.readString(predictions).contains("red_00.png"));
    }

    /** Before: the benchmark ran to the end, then the JSON was refused without naming its flag. */
    @Test
    void benchChecksItsJsonBeforeTiming() throws IOException {
        Path missing = dir.resolve("missing/b.json");
        CliRun run = CliRun.of("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--warmup", "0",
                "--iterations", "1", "--json", missing.toString());
        assertRefused(run, "--json: cannot write " + missing + ": the folder " + missing.getParent()
                + " does not exist");
        assertEquals("", run.stdout()); // no timing was printed: refused before it
    }
}
