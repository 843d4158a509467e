package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --equalize} on the shipped example (conv1, its BatchNorm folded, -> ReLU -> MAX pooling -> conv2). */
class EqualizeCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String IMAGES = "examples/tinynet/images";

    @TempDir
    Path dir;

    private List<String> args(String mode) {
        return new ArrayList<>(List.of("--quant_type", mode, "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", dir.resolve(mode + ".prototxt").toString(), "--calibration_directory",
                IMAGES, "--mean_value", "128,128,128", "--equalize"));
    }

    @Test
    void withoutQuantizedWeightsItIsRefusedAndNothingIsWritten() throws Exception {
        CliRun run = CliRun.of(args("Xilinx").toArray(String[]::new));
        assertEquals(2, run.status(), run.stderr());
        assertEquals("xportdnn: error: --equalize needs --quantized_weights (the equalized caffemodel)",
                run.stderr().strip());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    /**
     * Statistics saved with --equalize record the equalized weights: loaded with --equalize on the same files they
     * export the same prototxt as calibrating; without --equalize (or saved without, loaded with) refused in one line.
     */
    @Test
    void theCalibrationCacheRecordsTheEqualization() throws Exception {
        Path stats = dir.resolve("eq.stats");
        List<String> save = args("Xilinx");
        save.addAll(List.of("--quantized_weights", dir.resolve("q.caffemodel").toString(), "--save_statistics",
                stats.toString()));
        assertEquals(0, CliRun.of(save.toArray(String[]::new)).status());

        List<String> load = new ArrayList<>(List.of("--quant_type", "Xilinx", "--deploy_model", DEPLOY, "--weights",
                WEIGHTS, "--quantized_deploy_model", dir.resolve("loaded.prototxt").toString(), "--mean_value",
                "128,128,128", "--quantized_weights", dir.resolve("loaded.caffemodel").toString(),
                "--load_statistics", stats.toString()));
        List<String> withEqualize = new ArrayList<>(load);
        withEqualize.add("--equalize");
        CliRun loaded = CliRun.of(withEqualize.toArray(String[]::new));
        assertEquals(0, loaded.status(), loaded.stderr());
        assertArrayEquals(Files.readAllBytes(dir.resolve("Xilinx.prototxt")),
                Files.readAllBytes(dir.resolve("loaded.prototxt")));

        load.add("--fuse_bn");
        refusedInOneLine(load, "saved from the net equalized across layers (--equalize), this run does not equalize");

        Path plain = dir.resolve("plain.stats");
        List<String> savePlain = new ArrayList<>(load.subList(0, load.indexOf("--load_statistics")));
        savePlain.addAll(List.of("--fuse_bn", "--calibration_directory", IMAGES, "--save_statistics",
                plain.toString()));
        assertEquals(0, CliRun.of(savePlain.toArray(String[]::new)).status());
        withEqualize.set(withEqualize.indexOf(stats.toString()), plain.toString());
        refusedInOneLine(withEqualize, "saved from the net not equalized, this run equalizes it across layers");
    }

    private static void refusedInOneLine(List<String> args, String why) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: --load_statistics ") && run.stderr().contains(why),
                run.stderr());
    }

    /** DynamicFixed with --fast_finetune too: equalized first, then tuned (the weights written are the tuned ones). */
    @Test
    void bothModesWriteTheEqualizedWeightsAndReportThePair() throws Exception {
        for (String mode : List.of("Xilinx", "DynamicFixed")) {
            List<String> args = args(mode);
            Path report = dir.resolve(mode + ".json");
            Path weights = dir.resolve(mode + ".caffemodel");
            args.addAll(List.of("--quantized_weights", weights.toString(), "--report", report.toString()));
            if (mode.equals("DynamicFixed")) {
                args.addAll(List.of("--fl_bitwidths", "auto", "--fast_finetune"));
            }
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, run.status(), run.stderr());
            assertTrue(run.stderr().contains("note: equalized 1 pair of convolutions across layers"), run.stderr());
            // conv1's BatchNorm would give an amount to absorb, but conv2 (3x3, pad 1) reads padding
            assertTrue(run.stderr().contains("; bias absorption (BatchNorm beta - 3 gamma) left 1 pair where it "
                    + "would not be exact (conv2 pads its input)"), run.stderr());
            String written = mode.equals("Xilinx") ? "equalized" : "tuned";
            assertTrue(run.stdout().contains("the " + written + " weights to " + weights), run.stdout());
            assertTrue(Files.size(weights) > 0);
            String json = Files.readString(report);
            assertTrue(json.contains("\"equalization\""), json);
            assertTrue(json.replaceAll("\\s", "").contains("\"first\":\"conv1\",\"next\":[\"conv2\"]"), json);
            assertTrue(json.contains("\"not_absorbed\": \"conv2 pads its input\""), json);
        }
    }
}
