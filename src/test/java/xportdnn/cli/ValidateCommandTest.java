package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate end to end on the shipped example, exported in both modes. */
class ValidateCommandTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";

    @TempDir
    Path dir;

    private Path xilinx;

    @BeforeEach
    void export() {
        xilinx = dir.resolve("tiny_xilinx.prototxt");
        CliRun run = CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                xilinx.toString(), "--calibration_directory", "examples/tinynet/images", "--mean_value",
                "128,128,128", "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
    }

    @Test
    void scoresFloatAndFixedWithJsonAndReport() throws Exception {
        Path json = dir.resolve("v.json");
        Path html = dir.resolve("v.html");
        CliRun run = CliRun.of("validate", "--deploy_model", xilinx.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--json", json.toString(), "--report",
                html.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("60 images, 60 labelled; Xilinx fixed point"), run.stdout());
        // The example net separates the three colours perfectly in float (its val.txt labels, checked by infer).
        assertTrue(run.stdout().contains("float       100.00%  100.00%"), run.stdout());
        String j = Files.readString(json);
        assertTrue(j.contains("\"images\": 60"), j);
        double fixedTop1 = number(j, "\"fixed\": \\{\\s*\"top1\": ([0-9.]+)");
        assertTrue(fixedTop1 >= 0.95, "8-bit fixed point keeps the easy example: " + fixedTop1);
        // float scores every image, so no image can be right only in fixed point; the drop is the rest
        assertEquals(0, number(j, "\"fixed_only\": ([0-9]+)"), j);
        assertEquals(100 * (1 - fixedTop1), number(j, "\"top1_drop\": \\{\\s*\"points\": ([-0-9.Ee]+)"), 1e-9, j);
        assertEquals(Math.round(60 * (1 - fixedTop1)), number(j, "\"float_only\": ([0-9]+)"), j);
        assertTrue(run.stdout().contains("top-1 drop 95% interval"), run.stdout());
        double fixedTies = number(j, "\"top1_ties\": \\{\\s*\"float\": 0,\\s*\"fixed\": ([0-9]+)");
        assertEquals(fixedTies > 0, run.stdout().contains("fixed top-1 tied in"), run.stdout());
        double reluSqnr = number(j, "\"name\": \"relu1\",\\s*\"sqnr_db\": ([0-9.]+)");
        assertTrue(reluSqnr > 25 && reluSqnr < 60, "8 bits give roughly 6 dB a bit: " + reluSqnr);
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("data:image/png;base64,"), "report");
    }

    @Test
    void floatLayersAreSimulatedInFloatAndMarked() throws Exception {
        Path json = dir.resolve("f.json");
        Path html = dir.resolve("f.html");
        CliRun run = CliRun.of("validate", "--deploy_model", xilinx.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--float_layers", "conv2", "--json",
                json.toString(), "--report", html.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        String mark = "float (--float_layers), not what the device runs";
        assertTrue(run.stdout().startsWith("60 images, 60 labelled; Xilinx fixed point except conv2, relu2, " + mark),
                run.stdout());
        // conv2 and its fused ReLU are their own rows now, marked; relu1 (conv1's chain) is not
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("conv2 +[0-9.]+ +" + Pattern.quote(mark))),
                run.stdout());
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("relu2 +[0-9.]+ +" + Pattern.quote(mark))),
                run.stdout());
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("relu1 +[0-9.]+ *")), run.stdout());
        String j = Files.readString(json);
        assertTrue(j.contains("\"float_layers\": [\"conv2\", \"relu2\"]"), j);
        assertTrue(Pattern.compile("\"name\": \"relu2\",\\s*\"sqnr_db\": [0-9.]+,\\s*\"float\": true").matcher(j)
                .find(), j);
        assertTrue(Files.readString(html).contains(mark), "the report marks them too");
    }

    @Test
    void layerCostListsEveryOutputTheDeviceWritesUnderTheLayerItIsReportedAs() throws Exception {
        Path json = dir.resolve("cost.json");
        CliRun run = CliRun.of("validate", "--deploy_model", xilinx.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--layer_cost", "--json", json.toString(),
                "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().contains("what each output costs alone"), run.stdout());
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("costliest: (relu1|pool1|relu2|pool2) \\(.*")),
                run.stdout());
        String cost = Files.readString(json);
        cost = cost.substring(cost.indexOf("\"layer_cost\""));
        // conv1, bn1 and scale1 are fused with relu1 into one device step, reported as relu1; fc runs in software
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\"name\": \"([^\"]+)\"").matcher(cost);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertEquals(List.of("relu1", "pool1", "relu2", "pool2"), names, cost);
        Matcher a = Pattern.compile("\"top1_agreement\": ([0-9.]+)").matcher(cost);
        while (a.find()) {
            double agreement = Double.parseDouble(a.group(1));
            assertTrue(agreement >= 0.9 && agreement <= 1, "8 bits, one layer at a time, on the easy example: " + cost);
        }
    }

    /** tinynet exported in DynamicFixed mode, auto formats, 8 bits, with its folded caffemodel. */
    private static void exportDynamicFixed(Path prototxt, Path caffemodel) {
        assertEquals(0, CliRun.of("--quant_type", "DynamicFixed", "--fl_bitwidths", "auto", "--deploy_model", DEPLOY,
                "--weights", WEIGHTS, "--quantized_deploy_model", prototxt.toString(), "--calibration_directory",
                "examples/tinynet/images", "--mean_value", "128,128,128", "--bitwidths", "8,8,8", "--quiet",
                "--quantized_weights", caffemodel.toString()).status());
    }

    @Test
    void dynamicFixedFilesValidateToo() {
        Path df = dir.resolve("tiny_df.prototxt");
        Path folded = dir.resolve("tiny_df.caffemodel"); // unfolded, the runtime would starve conv1's fused weights
        exportDynamicFixed(df, folded);
        CliRun run = CliRun.of("validate", "--deploy_model", df.toString(), "--weights", folded.toString(), "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--count", "30", "--layer_cost", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("30 images, 30 labelled; DynamicFixed fixed point"), run.stdout());
        // DynamicFixed formats are costed too, each named by its Q format
        assertTrue(run.stdout().lines().anyMatch(l -> l.startsWith("relu1 ") && l.contains("8-bit")), run.stdout());
    }

    /**
     * pool2's output made 4 bits finer than the export chose: its averages (the class scores) no longer fit the
     * 8-bit codes, and the device writes their low byte. validate says so, per layer, as the exported file does not.
     */
    @Test
    void averagesThatWrapAroundAreCounted() throws Exception {
        Path df = dir.resolve("tiny_df.prototxt");
        Path folded = dir.resolve("tiny_df.caffemodel");
        exportDynamicFixed(df, folded);
        String[] validate = {"validate", "--deploy_model", df.toString(), "--weights", folded.toString(), "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--count", "30", "--quiet"};
        CliRun exported = CliRun.of(validate);
        assertEquals(0, exported.status(), exported.stderr());
        assertFalse(exported.stdout().contains("wrapped"), exported.stdout());

        String text = Files.readString(df);
        Matcher pool2 = Pattern.compile("name: \"pool2\".*?fl_layer_out: (-?\\d+)", Pattern.DOTALL).matcher(text);
        assertTrue(pool2.find(), text);
        Files.writeString(df, text.substring(0, pool2.start(1)) + (Integer.parseInt(pool2.group(1)) + 4)
                + text.substring(pool2.end(1)));
        Path json = dir.resolve("v.json");
        String[] withJson = java.util.Arrays.copyOf(validate, validate.length + 2);
        withJson[validate.length] = "--json";
        withJson[validate.length + 1] = json.toString();
        CliRun finer = CliRun.of(withJson);
        assertEquals(0, finer.status(), finer.stderr());
        Matcher line = Pattern.compile("layer 'pool2' wrapped a pooled code around in (\\d+) images").matcher(
                finer.stdout());
        assertTrue(line.find(), finer.stdout());
        int images = Integer.parseInt(line.group(1));
        assertTrue(images > 0 && images <= 30, finer.stdout());
        String report = Files.readString(json);
        assertTrue(Pattern.compile("\"wrapped_average_images\": \\{\\s*\"pool2\": " + images + "\\s*}")
                .matcher(report).find(), report);
    }

    @Test
    void excludingTheCalibrationImagesScoresTheRest() {
        CliRun run = CliRun.of("validate", "--deploy_model", xilinx.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--exclude_calibration", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("52 images, 52 labelled"), run.stdout());
    }

    @Test
    void aFloatPrototxtIsRefused() {
        Path out = dir.resolve("v.json");
        CliRun run = CliRun.of("validate", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--json", out.toString());
        assertEquals(2, run.status());
        assertTrue(run.stderr().contains("no precision_param blocks"), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertFalse(Files.exists(out));
        CliRun missing = CliRun.of("validate", "--deploy_model", xilinx.toString(), "--weights", WEIGHTS,
                "--images", dir.resolve("nowhere").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.stderr().contains("nowhere"), missing.stderr());
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }
}
