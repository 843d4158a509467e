package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --fast_finetune} from the command line: what it needs, what it writes and reports. */
class FastFinetuneCliTest {

    @TempDir
    Path dir;

    private CliRun export(String... extra) {
        String[] base = {"--deploy_model", "examples/tinynet/deploy.prototxt", "--weights",
                "examples/tinynet/tinynet.caffemodel", "--quantized_deploy_model", dir.resolve("q.prototxt").toString(),
                "--calibration_directory", "examples/tinynet/val.txt", "--calibration_size", "12",
                "--mean_value", "128,128,128", "--bitwidths", "6,6,6", "-q"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void needsAPlaceForTheTunedWeights() {
        CliRun run = export("--fast_finetune");
        assertEquals(2, run.status());
        assertEquals("xportdnn: error: --fast_finetune needs --quantized_weights (the tuned caffemodel)\n",
                run.stderr());
        assertFalse(Files.exists(dir.resolve("q.prototxt")));
    }

    /**
     * The report lists every tuned convolution with its output SQNR before and after (tuning never lowers it) and
     * its output format before and after.
     */
    @Test
    void writesTheTunedWeightsAndReportsEachLayer() throws IOException {
        CliRun run = export("--fast_finetune", "--quantized_weights", dir.resolve("q.caffemodel").toString(),
                "--report", dir.resolve("r.json").toString());
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().endsWith("and the tuned weights to " + dir.resolve("q.caffemodel") + "\n"),
                run.stdout());
        assertTrue(run.stderr().contains("xportdnn: note: fast finetune tuned "), run.stderr());
        String report = Files.readString(dir.resolve("r.json"));
        Matcher layer = Pattern.compile("\"name\": \"(conv\\d)\",\\s*\"tuned\": (true|false),\\s*"
                + "\"sqnr_db_before\": ([-0-9.eE]+),\\s*\"sqnr_db_after\": ([-0-9.eE]+)").matcher(report);
        int layers = 0;
        while (layer.find()) {
            assertTrue(Double.parseDouble(layer.group(4)) >= Double.parseDouble(layer.group(3)), layer.group());
            layers++;
        }
        assertEquals(2, layers, report);
        // Each layer's output format before and after its choice; conv2's error is measured after the global
        // average pooling that alone reads it.
        Matcher format = Pattern.compile("\"name\": \"conv2\",[^}]*\"output_format_before\": \"th_layer_out "
                + "[0-9.]+\",\\s*\"output_format_after\": \"th_layer_out [0-9.]+\",\\s*"
                + "\"output_format_measured\": \"after pool2\"").matcher(report);
        assertTrue(format.find(), report);
    }
}
