package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.engine.EngineThreads;

class BenchCommandTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    /** conv1 8*32*32 outputs x 3*3*3 + conv2 16*16*16 x 8*3*3 + fc 3 x 16 (see the prototxt). */
    private static final long TINYNET_MULTIPLY_ADDS = 8 * 32 * 32 * 27 + 16 * 16 * 16 * 72 + 3 * 16;

    /** The last run's status and output. */
    private CliRun last;

    private int run(String... args) {
        last = CliRun.of(args);
        return last.status();
    }

    /** The top-level numbers of a flat JSON object, and the length of its "pass_ms" list. */
    private static Map<String, Double> numbers(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\": (-?[0-9.eE+-]+)[,\\n]").matcher(json);
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    private static double[] passMs(String json) {
        Matcher m = Pattern.compile("\"pass_ms\": \\[([^]]*)]").matcher(json);
        assertTrue(m.find(), json);
        return Arrays.stream(m.group(1).split(",")).map(String::strip).mapToDouble(Double::parseDouble).toArray();
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void jsonNumbersAreConsistentWithTheirPasses(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("bench.json");
        assertEquals(0, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--batch", "4",
                "--warmup", "1", "--warmup_seconds", "0", "--iterations", "3", "--json", json.toString()),
                last.stderr());
        String text = Files.readString(json);
        Map<String, Double> v = numbers(text);
        for (String key : List.of("batch", "ms_per_image", "images_per_s", "gflops", "iterations", "threads",
                "ms_per_image_min", "ms_per_image_mean", "multiply_adds_per_image")) {
            assertTrue(v.containsKey(key), key + " missing from " + text);
        }
        assertEquals(4, v.get("batch"));
        assertEquals(3, v.get("iterations"));
        assertEquals(TINYNET_MULTIPLY_ADDS, v.get("multiply_adds_per_image"));
        double[] passes = passMs(text);
        assertEquals(3, passes.length);
        double[] sorted = passes.clone();
        Arrays.sort(sorted);
        assertClose(sorted[1] / 4, v.get("ms_per_image"), "median pass / batch");
        assertClose(sorted[0] / 4, v.get("ms_per_image_min"), "fastest pass / batch");
        assertClose(Arrays.stream(passes).average().orElseThrow() / 4, v.get("ms_per_image_mean"), "mean pass / batch");
        assertClose(1000 / v.get("ms_per_image"), v.get("images_per_s"), "images/s");
        assertClose(2 * TINYNET_MULTIPLY_ADDS * v.get("images_per_s") / 1e9, v.get("gflops"), "GFLOP/s");
        assertTrue(v.get("ms_per_image") > 0);

        String printed = last.stdout();
        assertTrue(printed.startsWith("deploy.prototxt: batch 4, float engine, "), printed);
        assertTrue(printed.contains("1 warm-up pass (at least 1 and 0 s), 3 timed passes"), printed);
        assertTrue(printed.contains("516,144 multiply-adds per image"), printed);
        assertTrue(printed.matches("(?s).*peak memory +\\d+ MiB resident.*"), printed);
    }

    /** Warm-up ends when both the pass count and the time are reached; the JSON and the header say both. */
    @Test
    void warmUpRunsUntilBothItsPassCountAndItsTimeAreReached(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("bench.json");
        assertEquals(0, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--warmup", "4",
                "--warmup_seconds", "0", "--iterations", "1", "--json", json.toString()), last.stderr());
        Map<String, Double> v = numbers(Files.readString(json));
        assertEquals(4, v.get("warmup"));
        assertEquals(0, v.get("warmup_seconds"));
        assertEquals(4, v.get("warmup_passes"), "no time asked for: the pass count alone");
        assertTrue(last.stdout().contains("4 warm-up passes (at least 4 and 0 s), 1 timed pass in"), last.stdout());

        // no pass count: the clock has not reached 0.25 s when warm-up starts, so at least one pass runs
        assertEquals(0, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--warmup", "0",
                "--warmup_seconds", "0.25", "--iterations", "1", "--json", json.toString()), last.stderr());
        v = numbers(Files.readString(json));
        assertEquals(0.25, v.get("warmup_seconds"));
        double passes = v.get("warmup_passes");
        assertTrue(passes >= 1, "warm-up passes " + passes);
        assertTrue(last.stdout().contains((long) passes + (passes == 1 ? " warm-up pass" : " warm-up passes")
                + " (at least 0 and 0.25 s), 1 timed pass in"),
                last.stdout());
    }

    @Test
    void threadsFlagSetsTheCountInEffect(@TempDir Path dir) throws IOException {
        int before = EngineThreads.inEffect();
        Path json = dir.resolve("bench.json");
        try {
            int other = before == 1 ? 2 : 1;
            assertEquals(0, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--threads",
                    String.valueOf(other), "--warmup", "0", "--warmup_seconds", "0", "--iterations", "1", "--json",
                    json.toString()), last.stderr());
            assertEquals(other, EngineThreads.inEffect());
            assertEquals(other, numbers(Files.readString(json)).get("threads"));
            assertTrue(last.stdout().contains(other + " thread" + (other == 1 ? "" : "s") + " (--threads), OpenMP wait policy "),
                    last.stdout());
        } finally {
            EngineThreads.set(before);
        }
    }

    @Test
    void perLayerListsEveryLayer() {
        assertEquals(0, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--warmup", "0",
                "--warmup_seconds", "0", "--iterations", "2", "--per_layer"), last.stderr());
        List<String> rows = last.stdout().lines().dropWhile(l -> !l.startsWith("layer ")).skip(1).toList();
        assertEquals(List.of("conv1", "bn1", "scale1", "relu1", "pool1", "conv2", "relu2", "pool2", "fc", "prob", "data")
                .stream().sorted().toList(), rows.stream().map(l -> l.split(" +")[0]).sorted().toList());
        double share = rows.stream().mapToDouble(l -> Double.parseDouble(l.replaceAll(".* ([0-9.]+)%$", "$1"))).sum();
        assertEquals(100, share, 0.1 * rows.size());
    }

    @Test
    void givenPeakGivesTheFractionAndANativeBuildIsNamed(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("bench.json");
        assertEquals(0, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--warmup", "0",
                "--warmup_seconds", "0", "--iterations", "2", "--peak_gflops", "0.5", "--json", json.toString()),
                last.stderr());
        String text = Files.readString(json);
        Map<String, Double> v = numbers(text);
        assertEquals(0.5, v.get("peak_gflops"));
        assertClose(v.get("gflops") / 0.5, v.get("fraction_of_peak"), "GFLOP/s / peak");
        assertTrue(text.matches("(?s).*\"natives\": \"onednn-avx(2|512) \\(.*"), text);
        assertTrue(last.stdout().contains("of 0.5 GFLOP/s (--peak_gflops)"), last.stdout());
        assertTrue(last.stdout().contains("ND4J natives   onednn-avx"), last.stdout());
    }

    @Test
    void clockAndPeakTogetherAreRefused() {
        assertEquals(2, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--peak_gflops", "100",
                "--clock_ghz", "3"));
        assertTrue(last.stderr().contains("--peak_gflops replaces"), last.stderr());
    }

    @Test
    void helpNamesTheFlagsAndTheThreadEnvironment() {
        assertEquals(0, run("bench", "--help"));
        String help = last.stdout();
        for (String flag : List.of("--deploy_model", "--weights", "--batch", "--threads", "--warmup", "--iterations",
                "--warmup_seconds", "--seconds", "--json", "--per_layer", "--mode", "--peak_gflops", "--clock_ghz")) {
            assertTrue(help.contains(flag), flag + " missing from\n" + help);
        }
        assertTrue(help.contains("OMP_NUM_THREADS"), help);
    }

    @Test
    void fixedModeNeedsAQuantizedPrototxt() {
        assertEquals(2, run("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--mode", "fixed"));
        assertTrue(last.stderr().startsWith("xportdnn: error: " + DEPLOY + ": --mode fixed needs a quantized"),
                last.stderr());
        assertEquals("", last.stdout());
    }

    /** tinynet exported in Xilinx mode at 8 bits into {@code dir}: the quantized prototxt. */
    private static Path xilinxExport(Path dir) {
        Path quantized = dir.resolve("q.prototxt");
        assertEquals(0, CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                quantized.toString(), "--calibration_directory", "examples/tinynet/images", "--mean_value",
                "128,128,128", "--bitwidths", "8,8,8", "--quiet").status());
        return quantized;
    }

    @Test
    void fixedModeTimesTheSimulatorAgainstTheFloatEngine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Path quantized = xilinxExport(dir);
        java.nio.file.Path json = dir.resolve("bench.json");
        assertEquals(0, run("bench", "--deploy_model", quantized.toString(), "--weights", WEIGHTS, "--mode", "fixed",
                "--iterations", "3", "--warmup", "1", "--warmup_seconds", "0", "--json", json.toString()),
                last.stderr());
        assertTrue(last.stdout().contains(" times as fast"), last.stdout());
        Map<String, Double> n = numbers(java.nio.file.Files.readString(json));
        assertClose(n.get("float_ms_per_image") / n.get("ms_per_image"), n.get("speed_vs_float"), "speed ratio");
    }

    /**
     * Per layer, the simulator is timed under the layers it reports (a convolution with its fused BatchNorm, Scale
     * and ReLU under the ReLU), and only told when each is done: its outputs are not dequantized for the table.
     */
    @Test
    void perLayerInFixedModeListsTheSimulatorsSteps(@TempDir Path dir) {
        Path quantized = xilinxExport(dir);
        assertEquals(0, run("bench", "--deploy_model", quantized.toString(), "--weights", WEIGHTS, "--mode", "fixed",
                "--iterations", "2", "--warmup", "0", "--warmup_seconds", "0", "--per_layer"), last.stderr());
        List<String> rows = last.stdout().lines().dropWhile(l -> !l.startsWith("layer ")).skip(1).toList();
        assertEquals(List.of("data", "relu1", "pool1", "relu2", "pool2", "fc", "prob").stream().sorted().toList(),
                rows.stream().map(l -> l.split(" +")[0]).sorted().toList(), last.stdout());
    }

    @Test
    void badFlagValuesAreOneLineErrors() {
        String[][] cases = {
                {"--mode", "double"}, {"--batch", "0"}, {"--threads", "0"}, {"--warmup", "-1"},
                {"--warmup_seconds", "-1"},
                {"--iterations", "0"}, {"--seconds", "-2"}, {"--iterations", "2", "--seconds", "1"},
                {"--batch", "1000000"}};
        String[] expected = {"--mode must be float or fixed, not 'double'", "--batch must be at least 1, not 0",
                "--threads must be at least 1, not 0", "--warmup must be 0 or more, not -1",
                "--warmup_seconds must be 0 or more, not -1.0",
                "--iterations must be at least 1, not 0", "--seconds must be a positive number, not -2.0",
                "mutually exclusive", "--batch 1000000 makes an input of 3072000000 values, more than one array holds"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = concat(new String[] {"bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS}, cases[i]);
            assertEquals(2, run(args), String.join(" ", cases[i]));
            List<String> lines = last.stderr().lines().toList();
            assertTrue(lines.get(0).startsWith("xportdnn: error: ") && lines.get(0).contains(expected[i]),
                    String.join(" ", cases[i]) + ": " + last.stderr());
            assertEquals(1, lines.size(), last.stderr());
            assertTrue(lines.get(0).endsWith(" (see 'xportdnn bench --help')"), lines.get(0));
            assertFalse(last.stderr().contains("Exception"), last.stderr());
            assertEquals("", last.stdout());
        }
    }

    @Test
    void missingWeightsFileIsOneLineAndExitTwo(@TempDir Path dir) {
        Path absent = dir.resolve("absent.caffemodel");
        assertEquals(2, run("bench", "--deploy_model", DEPLOY, "--weights", absent.toString()));
        assertEquals("xportdnn: error: " + absent + ": no such file\n", last.stderr().replace("\r\n", "\n"));
    }

    @Test
    void weightsAreRequired() {
        assertEquals(2, run("bench", "--deploy_model", DEPLOY));
        assertTrue(last.stderr().startsWith("xportdnn: error: Missing required option: '--weights=CAFFEMODEL'"),
                last.stderr());
    }

    @Test
    void jsonNeverOverwritesAnInput(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("deploy.prototxt");
        Files.copy(Path.of(DEPLOY), copy);
        byte[] before = Files.readAllBytes(copy);
        assertEquals(2, run("bench", "--deploy_model", copy.toString(), "--weights", WEIGHTS, "--warmup", "0",
                "--iterations", "1", "--json", copy.toString()));
        assertEquals("xportdnn: error: --json: refusing to overwrite the input " + copy + "\n",
                last.stderr().replace("\r\n", "\n"));
        assertTrue(Arrays.equals(before, Files.readAllBytes(copy)));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
