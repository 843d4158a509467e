package xportdnn.cli;

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

    /** Saved statistics record the net files and the folding, not the equalization: refused both ways. */
    @Test
    void theCalibrationCacheIsRefused() {
        for (String flag : List.of("--save_statistics", "--load_statistics")) {
            List<String> args = args("Xilinx");
            args.addAll(List.of("--quantized_weights", dir.resolve("q.caffemodel").toString(), flag,
                    dir.resolve("s.stats").toString()));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, run.status(), run.stderr());
            assertTrue(run.stderr().startsWith("xportdnn: error: --equalize does not apply with " + flag), run.stderr());
        }
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
            String written = mode.equals("Xilinx") ? "equalized" : "tuned";
            assertTrue(run.stdout().contains("the " + written + " weights to " + weights), run.stdout());
            assertTrue(Files.size(weights) > 0);
            String json = Files.readString(report);
            assertTrue(json.contains("\"equalization\""), json);
            assertTrue(json.replaceAll("\\s", "").contains("\"first\":\"conv1\",\"next\":[\"conv2\"]"), json);
        }
    }
}
