package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData.Model;
import xportdnn.SharedData;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

/** The export's preprocessing travels with the model: written beside the prototxt, read by validate and infer. */
class SidecarCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String IMAGES = "examples/tinynet/images";
    private static final String VAL = "examples/tinynet/val.txt";

    @TempDir
    Path dir;

    /** tinynet exported with a preprocessing that is not the default one (RGB order, mean 128). */
    private Path exportTinynet() {
        Path out = dir.resolve("tiny_q.prototxt");
        CliRun run = CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                out.toString(), "--calibration_directory", IMAGES, "--calibration_indices", "0,5,10,20",
                "--channel_swap", "0,1,2", "--mean_value", "128,128,128", "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        return out;
    }

    /** --exclude_calibration without the draw flags leaves out the export's images (its 4 indices), not the default 8. */
    @Test
    void excludeCalibrationTakesTheExportsDraw() {
        Path prototxt = exportTinynet();
        CliRun run = validate(prototxt, "--exclude_calibration");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("note: --exclude_calibration: leaving out the export's calibration images, 4 "
                + "by --calibration_indices (from tiny_q.prototxt.xportdnn.json)"), run.stderr());
        assertTrue(run.stdout().startsWith("56 images, 56 labelled"), run.stdout()); // 60 listed
        CliRun other = validate(prototxt, "--exclude_calibration", "--calibration_size", "8");
        assertEquals(0, other.status(), other.stderr());
        assertTrue(other.stderr().contains("warning: --exclude_calibration: --calibration_size 8 --calibration_seed "
                + "20181017 differs from the export's 4 by --calibration_indices"), other.stderr());
        assertTrue(other.stdout().startsWith("52 images"), other.stdout());
    }

    private static CliRun validate(Path prototxt, String... more) {
        List<String> args = new ArrayList<>(List.of("validate", "--deploy_model", prototxt.toString(), "--weights",
                WEIGHTS, "--images", VAL, "--quiet"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsInt()));
        return out;
    }

    /** 2^53 + 1 is the first integer a double cannot hold: the seed is written as the integer it is. */
    @Test
    void theSeedIsWrittenExactly() throws Exception {
        Path out = dir.resolve("seeded.prototxt");
        CliRun run = CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                out.toString(), "--calibration_directory", IMAGES, "--calibration_seed", "9007199254740993",
                "--mean_value", "128,128,128", "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        String json = Files.readString(dir.resolve("seeded.prototxt.xportdnn.json"));
        assertTrue(json.contains("\"seed\": 9007199254740993,"), json);
        assertTrue(json.contains("\"raw_scale\": 255,"), json);
    }

    @Test
    void theExportWritesWhatItDidBesideThePrototxt() throws Exception {
        Path out = exportTinynet();
        Path sidecar = dir.resolve("tiny_q.prototxt.xportdnn.json");
        JsonObject s = JsonParser.parseString(Files.readString(sidecar)).getAsJsonObject();
        assertEquals("xportdnn-sidecar-1", s.get("format").getAsString());
        assertEquals("xportdnn 0.1.0", s.get("tool").getAsString());
        assertEquals(sha256(Files.readAllBytes(out)), s.getAsJsonObject("prototxt").get("sha256").getAsString());
        assertEquals("Xilinx", s.get("quant_type").getAsString());
        assertEquals(List.of(8, 8, 8), ints(s.getAsJsonArray("bitwidths")));
        assertEquals("kl-j", s.get("threshold_method").getAsString());
        JsonObject p = s.getAsJsonObject("preprocessing");
        assertEquals(List.of(3, 32, 32), ints(p.getAsJsonArray("dims")));
        assertEquals(List.of(2, 0, 1), ints(p.getAsJsonArray("transpose")));
        assertEquals(List.of(0, 1, 2), ints(p.getAsJsonArray("channel_swap")));
        assertEquals(List.of(128, 128, 128), ints(p.getAsJsonArray("mean_value")));
        assertTrue(p.get("mean_file").isJsonNull());
        assertEquals(255.0, p.get("raw_scale").getAsDouble());
        assertEquals(1.0, p.get("input_scale").getAsDouble());
        JsonObject c = s.getAsJsonObject("calibration");
        assertEquals(4, c.get("count").getAsInt());
        assertEquals(List.of(0, 5, 10, 20), ints(c.getAsJsonArray("indices")));
        assertTrue(c.get("images").getAsString().endsWith("tinynet/images"), c.toString());
        JsonArray inputs = s.getAsJsonArray("inputs");
        assertEquals("--deploy_model", inputs.get(0).getAsJsonObject().get("flag").getAsString());
        assertEquals(sha256(Files.readAllBytes(Path.of(DEPLOY))),
                inputs.get(0).getAsJsonObject().get("sha256").getAsString());
        assertEquals(sha256(Files.readAllBytes(Path.of(WEIGHTS))),
                inputs.get(1).getAsJsonObject().get("sha256").getAsString());
    }

    @Test
    void validateWithoutFlagsScoresAsWithTheExportsFlags() {
        Path q = exportTinynet();
        CliRun bySidecar = validate(q);
        CliRun byHand = validate(q, "--channel_swap", "0,1,2", "--mean_value", "128,128,128", "--no_sidecar");
        assertEquals(0, bySidecar.status(), bySidecar.stderr());
        assertEquals(0, byHand.status(), byHand.stderr());
        assertEquals(byHand.stdout(), bySidecar.stdout());
        List<String> notes = bySidecar.stderr().lines().filter(l -> l.contains("sidecar")).toList();
        assertEquals(1, notes.size(), bySidecar.stderr());
        assertTrue(notes.get(0).startsWith("xportdnn: note: preprocessing from the export's sidecar "), notes.get(0));
        assertTrue(notes.get(0).contains("channel_swap 0,1,2") && notes.get(0).contains("mean_value 128,128,128"),
                notes.get(0));
        assertFalse(byHand.stderr().contains("sidecar"), byHand.stderr());
    }

    /** An export from a statistics file reads no image, yet its sidecar still says how images are preprocessed. */
    @Test
    void anExportFromSavedStatisticsRecordsTheirPreprocessing() throws Exception {
        Path direct = exportTinynet();
        Path stats = dir.resolve("tiny.stats");
        List<String> preprocessing = List.of("--channel_swap", "0,1,2", "--mean_value", "128,128,128", "--bitwidths",
                "8,8,8");
        List<String> save = new ArrayList<>(List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", dir.resolve("saved.prototxt").toString(), "--calibration_directory",
                IMAGES, "--calibration_indices", "0,5,10,20", "--save_statistics", stats.toString(), "--quiet"));
        save.addAll(preprocessing);
        CliRun saved = CliRun.of(save.toArray(String[]::new));
        assertEquals(0, saved.status(), saved.stderr());
        Path loaded = dir.resolve("loaded.prototxt");
        List<String> load = new ArrayList<>(List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", loaded.toString(), "--load_statistics", stats.toString(), "--quiet"));
        load.addAll(preprocessing);
        CliRun run = CliRun.of(load.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        JsonObject p = JsonParser.parseString(Files.readString(dir.resolve("loaded.prototxt.xportdnn.json")))
                .getAsJsonObject().getAsJsonObject("preprocessing");
        assertEquals(List.of(0, 1, 2), ints(p.getAsJsonArray("channel_swap")));
        assertEquals(List.of(128, 128, 128), ints(p.getAsJsonArray("mean_value")));
        assertEquals(validate(direct).stdout(), validate(loaded).stdout(), "scored with the export's preprocessing");
    }

    @Test
    void aFlagGivenByHandThatDiffersIsUsedWithOneWarning() {
        Path q = exportTinynet();
        CliRun run = validate(q, "--channel_swap", "2,1,0", "--mean_value", "128,128,128");
        assertEquals(0, run.status(), run.stderr());
        List<String> warnings = run.stderr().lines().filter(l -> l.startsWith("xportdnn: warning:")).toList();
        assertEquals(List.of("xportdnn: warning: --channel_swap 2,1,0 differs from 0,1,2 (the export's, from "
                + "tiny_q.prototxt.xportdnn.json); using 2,1,0"), warnings);
        CliRun byHand = validate(q, "--channel_swap", "2,1,0", "--mean_value", "128,128,128", "--no_sidecar");
        assertEquals(byHand.stdout(), run.stdout(), "the hand-given flag wins");
    }

    @Test
    void aCorruptSidecarIsOneWarningAndIgnored() throws Exception {
        Path q = exportTinynet();
        Files.writeString(dir.resolve("tiny_q.prototxt.xportdnn.json"), "{\"format\": \"xportdnn-sidecar-1\", ");
        CliRun run = validate(q, "--channel_swap", "2,1,0", "--mean_value", "128,128,128");
        assertEquals(0, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: warning: " + dir.resolve("tiny_q.prototxt.xportdnn.json")
                + " is not valid sidecar JSON ("), run.stderr());
        assertTrue(run.stderr().endsWith("; ignored it, so the preprocessing is the flags'\n"), run.stderr());
    }

    @Test
    void aSidecarOfAnotherPrototxtIsOneWarningAndIgnored() throws Exception {
        Path q = exportTinynet();
        Files.writeString(q, "# edited after the export\n", StandardOpenOption.APPEND);
        CliRun run = validate(q, "--channel_swap", "2,1,0", "--mean_value", "128,128,128");
        assertEquals(0, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().contains("was written for another prototxt (its SHA-256 differs"), run.stderr());
    }

    @Test
    void aRecordedMeanFileThatIsGoneIsOneErrorLine() throws Exception {
        Path mean = dir.resolve("mean.npy");
        Path q = exportWithMeanFile(mean, "tiny_m.prototxt");
        Files.delete(mean);
        CliRun run = validate(q);
        assertEquals(2, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().contains("the export's mean file " + mean + " is gone; give --mean_file"),
                run.stderr());
    }

    @Test
    void aRecordedMeanFileNoPathCanBeIsAWarning() throws Exception {
        Path mean = dir.resolve("mean.npy");
        Path q = exportWithMeanFile(mean, "tiny_n.prototxt");
        Path sidecar = dir.resolve("tiny_n.prototxt.xportdnn.json");
        String json = Files.readString(sidecar);
        String recorded = "\"" + mean.toAbsolutePath().normalize() + "\"";
        assertTrue(json.contains(recorded), json);
        Files.writeString(sidecar, json.replace(recorded, "\"mean\\u0000.npy\"")); // edited by hand
        CliRun run = validate(q, "--channel_swap", "2,1,0", "--mean_value", "128,128,128");
        assertEquals(0, run.status(), run.stderr()); // a broken sidecar is ignored with a warning, as any other
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().contains("names a mean file that is not a file path (mean\\0.npy); ignored it"),
                run.stderr());
    }

    /** Exports tinynet with a flat 128 per-pixel mean file written to {@code mean}: the prototxt it wrote. */
    private Path exportWithMeanFile(Path mean, String prototxt) throws Exception {
        float[] values = new float[3 * 32 * 32];
        java.util.Arrays.fill(values, 128);
        Npy.write(new Blob(new int[] {3, 32, 32}, values), mean);
        Path q = dir.resolve(prototxt);
        CliRun export = CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                q.toString(), "--calibration_directory", IMAGES, "--calibration_size", "4", "--mean_file",
                mean.toString(), "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        return q;
    }

    @Test
    void aValidateOutputNeverOverwritesTheSidecar() throws Exception {
        Path q = exportTinynet();
        Path sidecar = dir.resolve("tiny_q.prototxt.xportdnn.json");
        String before = Files.readString(sidecar);
        CliRun run = validate(q, "--json", sidecar.toString());
        assertEquals(2, run.status(), run.stderr());
        assertTrue(run.stderr().endsWith("xportdnn: error: --json: refusing to overwrite the input " + sidecar + "\n"),
                run.stderr());
        assertEquals(before, Files.readString(sidecar));
    }

    @Test
    void inferOnTheQuantizedPrototxtTakesTheSidecarToo() {
        Path q = exportTinynet();
        CliRun bySidecar = CliRun.of("infer", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images", VAL,
                "--quiet");
        CliRun byHand = CliRun.of("infer", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images", VAL,
                "--channel_swap", "0,1,2", "--mean_value", "128,128,128", "--no_sidecar", "--quiet");
        assertEquals(0, bySidecar.status(), bySidecar.stderr());
        assertEquals(byHand.stdout(), bySidecar.stdout());
        assertTrue(bySidecar.stderr().contains("note: preprocessing from the export's sidecar"), bySidecar.stderr());
    }

    /**
     * Where the preprocessing matters: CIFAR-10 quick wants RGB order and a per-pixel mean. validate without flags
     * scores as with the export's flags, and differently from the defaults (--no_sidecar).
     */
    @Test
    void onCifar10TheSidecarGivesTheExportsAccuracy() {
        Model model = Model.CIFAR10_QUICK;
        Path images = SharedData.require("data/cifar10-test/labels.txt");
        Path mean = SharedData.require("data/cifar10-test/mean.npy");
        Path q = dir.resolve("quick_q.prototxt");
        CliRun export = CliRun.of("--deploy_model", model.prototxt().toString(), "--weights",
                model.caffemodel().toString(), "--quantized_deploy_model", q.toString(), "--calibration_directory",
                images.toString(), "--calibration_size", "16", "--channel_swap", "0,1,2", "--mean_file",
                mean.toString(), "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        String[] common = {"validate", "--deploy_model", q.toString(), "--weights", model.caffemodel().toString(),
            "--images", images.toString(), "--count", "300", "--batch", "50", "--quiet"};
        CliRun bySidecar = CliRun.of(common);
        List<String> byHandArgs = new ArrayList<>(List.of(common));
        byHandArgs.addAll(List.of("--channel_swap", "0,1,2", "--mean_file", mean.toString()));
        CliRun byHand = CliRun.of(byHandArgs.toArray(String[]::new));
        List<String> defaultsArgs = new ArrayList<>(List.of(common));
        defaultsArgs.add("--no_sidecar");
        CliRun defaults = CliRun.of(defaultsArgs.toArray(String[]::new));
        assertEquals(0, bySidecar.status(), bySidecar.stderr());
        assertEquals(byHand.stdout(), bySidecar.stdout());
        assertFalse(byHand.stderr().contains("warning"), "the same flags by hand agree: " + byHand.stderr());
        double withSidecar = floatTop1(bySidecar.stdout());
        double withDefaults = floatTop1(defaults.stdout());
        // cifar10_quick scores about 73% in float with its preprocessing (README, infer on all 10000 images)
        assertTrue(withSidecar > 0.65, bySidecar.stdout());
        assertTrue(withDefaults < withSidecar - 0.05, withDefaults + " vs " + withSidecar);
        assertNotEquals(bySidecar.stdout(), defaults.stdout());
    }

    private static double floatTop1(String stdout) {
        Matcher m = Pattern.compile("float\\s+([0-9.]+)%").matcher(stdout);
        assertTrue(m.find(), stdout);
        return Double.parseDouble(m.group(1)) / 100;
    }
}
