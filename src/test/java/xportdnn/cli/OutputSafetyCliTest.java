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
        return "refusing to write " + target + ": the run reads the image folder " + folder + ", whose scan takes "
                + "this name as an image; write it elsewhere or name it otherwise";
    }

    private List<String> export(String calibration, Path report) {
        return List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--calibration_directory", calibration,
                "--mean_value", "128,128,128", "-q", "--quantized_deploy_model", dir.resolve("q.prototxt").toString(),
                "--report", report.toString());
    }

    @Test
    void exportReportOverACalibrationImageIsRefused() throws IOException {
        assertRefused(CliRun.of(export(images.toString(), image).toArray(String[]::new)),
                "--report: " + inFolder(image, images));
        assertFalse(Files.exists(dir.resolve("q.prototxt")));
    }

    /** Nor a new file the next scan of the folder would take as an image (here in a subfolder). */
    @Test
    void anImageNamedNewFileInTheImageFolderIsRefused() throws IOException {
        Path sub = Files.createDirectories(images.resolve("more"));
        Path target = sub.resolve("report.PNG");
        assertRefused(CliRun.of(export(images.toString(), target).toArray(String[]::new)),
                "--report: " + inFolder(target, images));
        assertFalse(Files.exists(target));
    }

    /** The last session's rule refused the second run: its report existed in the image folder. */
    @Test
    void aReRunReplacesItsOwnReportInTheImageFolder() throws IOException {
        Path report = images.resolve("report.json");
        List<String> written = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            CliRun export = CliRun.of(export(images.toString(), report).toArray(String[]::new));
            assertEquals(0, export.status(), export.stderr());
            written.add(Files.readString(report));
            Files.writeString(report, "{}"); // so that the second run's report is seen to replace it
        }
        assertTrue(written.get(0).startsWith("{\n"), written.get(0));
        assertEquals(written.get(0), written.get(1));
        assertArrayEquals(imageBytes, Files.readAllBytes(image));
    }

    /**
     * A list's images are inputs wherever they are: the export's --report and infer's --predictions over an image
     * val.txt names (in a folder no flag names) are refused; before, only the list file itself was protected.
     */
    @Test
    void anImageTheListNamesIsRefused() throws IOException {
        Path list = Files.write(dir.resolve("val.txt"), Files.readAllLines(Path.of("examples/tinynet/val.txt")));
        assertRefused(CliRun.of(export(list.toString(), image).toArray(String[]::new)),
                "--report: refusing to overwrite the input " + image);
        assertRefused(CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                list.toString(), "--mean_value", "128,128,128", "-q", "--predictions", image.toString()),
                "--predictions: refusing to overwrite the input " + image);
        Path beside = images.resolve("predictions.png.tsv"); // in the listed images' folder, not an image name
        CliRun run = CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                list.toString(), "--mean_value", "128,128,128", "-q", "--predictions", beside.toString());
        assertEquals(0, run.status(), run.stderr());
    }

    /**
     * compare of two sets takes the files to keep off from the sets its run opened: an image the scored list or the
     * calibration list names is refused, before any image is read.
     */
    @Test
    void compareOverAnImageEitherListNamesIsRefused() throws IOException {
        Path list = Files.write(dir.resolve("val.txt"), Files.readAllLines(Path.of("examples/tinynet/val.txt")));
        for (List<String> sets : List.of(List.of(list.toString(), "examples/tinynet/images"),
                List.of("examples/tinynet/val.txt", list.toString()))) {
            assertRefused(CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                    sets.get(0), "--calibration_directory", sets.get(1), "--calibration_size", "4",
                    "--mean_value", "128,128,128", "--schemes", "naive:8", "-q", "--json", image.toString()),
                    "--json: refusing to overwrite the input " + image);
        }
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
