package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

/** A new user's likely mistakes end in one line that says what to do, never in a broken model and exit 0. */
class NoSilentTrapsCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String IMAGES = "examples/tinynet/images";

    /** Flags that act in every mode of the main command. */
    private static final Set<String> EVERYWHERE = Set.of("--help", "--version", "--quant_type", "--deploy_model",
            "--weights", "--quantized_deploy_model", "--bitwidths", "--allow_any_bitwidth", "--report", "--fuse_bn",
            "--fast_finetune", "--equalize", "--quantized_weights", "--quiet", "--debug");

    /** A value for every flag that does not apply in some mode. */
    private static final Map<String, String> VALUES = Map.ofEntries(Map.entry("--fl_bitwidths", "4,6,4"),
            Map.entry("--threshold_method", "max"), Map.entry("--calibration_directory", IMAGES),
            Map.entry("--calibration_size", "4"), Map.entry("--calibration_seed", "3"),
            Map.entry("--calibration_indices", "0,1"), Map.entry("--batch", "4"), Map.entry("--dims", "3,32,32"),
            Map.entry("--transpose", "2,0,1"), Map.entry("--channel_swap", "2,1,0"), Map.entry("--raw_scale", "255"),
            Map.entry("--mean_value", "128,128,128"), Map.entry("--mean_file", "mean.npy"),
            Map.entry("--input_scale", "1"), Map.entry("--save_statistics", "saved.stats"),
            Map.entry("--load_statistics", "saved.stats"), Map.entry("--spark", "local[1]"),
            Map.entry("--skip_bad_images", "")); // "": a switch, no value

    @TempDir
    Path dir;

    private List<String> base(String mode, Path out) {
        return new ArrayList<>(List.of("--quant_type", mode, "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", out.toString(), "--bitwidths", "8,8,8"));
    }

    private void assertNothingWritten() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    /** The shipped example's default DynamicFixed run used to write "0 of 31 levels" weights and exit 0. */
    @Test
    void starvedFusedWeightsAreRefusedNamingTheLayerAndTheFix() throws Exception {
        CliRun run = CliRun.of("--quant_type", "DynamicFixed", "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", dir.resolve("q.prototxt").toString());
        run.assertRefused("layer 'conv1'", "0 of 31 levels", "--fuse_bn --quantized_weights");
        assertNothingWritten();
    }

    @Test
    void aUniformFlThatZeroesAConvolutionIsRefused() throws Exception {
        List<String> args = base("DynamicFixed", dir.resolve("q.prototxt"));
        args.addAll(List.of("--fl_bitwidths", "2,5,2", "--quantized_weights", dir.resolve("q.caffemodel").toString()));
        CliRun.of(args.toArray(String[]::new)).assertRefused("layer 'conv1'", "fl_params 5", "--fl_bitwidths",
                "'auto'");
        assertNothingWritten();
    }

    @Test
    void fractionalLengthsFarOutsideTheBitwidthAreRefusedUnlessAllowed() throws Exception {
        for (String fl : List.of("17,7,4", "4,-20,4", "4,7,17")) {
            List<String> args = base("DynamicFixed", dir.resolve("q.prototxt"));
            args.addAll(List.of("--fl_bitwidths", fl));
            CliRun.of(args.toArray(String[]::new)).assertRefused("--fl_bitwidths", "--allow_any_bitwidth");
        }
        assertNothingWritten();
        List<String> args = base("DynamicFixed", dir.resolve("q.prototxt"));
        args.addAll(List.of("--fl_bitwidths", "4,17,4", "--allow_any_bitwidth", "--quantized_weights",
                dir.resolve("q.caffemodel").toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
    }

    @Test
    void dynamicFixedReportHasEveryLayersFormats() throws Exception {
        Path report = dir.resolve("r.json");
        List<String> args = base("DynamicFixed", dir.resolve("q.prototxt"));
        args.addAll(List.of("--fl_bitwidths", "0,11,0", "--quantized_weights", dir.resolve("q.caffemodel").toString(),
                "--report", report.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        String json = Files.readString(report);
        assertTrue(json.contains("\"quant_type\": \"DynamicFixed\""), json);
        assertTrue(json.contains("\"name\": \"conv1\""), json);
        assertTrue(json.contains("\"fl_params\": 11"), json);
        assertTrue(json.contains("\"fl_layer_out\": 0"), json);
    }

    /** Every flag of the main command either acts in a mode or is refused there, naming itself. */
    @Test
    void everyFlagGivenWhereItDoesNotApplyIsRefusedInWords() throws Exception {
        Set<String> seen = new TreeSet<>();
        for (OptionSpec option : Main.commandLine().getCommandSpec().options()) {
            String flag = option.longestName();
            seen.add(flag);
            if (EVERYWHERE.contains(flag)) {
                continue;
            }
            String value = VALUES.get(flag);
            assertNotNull(value, flag + " is new: say where it does not apply (VALUES) or that it always does");
            List<String> args;
            if (flag.equals("--fl_bitwidths")) {
                args = base("Xilinx", dir.resolve("q.prototxt"));
                args.addAll(List.of("--calibration_directory", IMAGES));
            } else {
                args = base("DynamicFixed", dir.resolve("q.prototxt"));
                args.addAll(List.of("--fl_bitwidths", "0,11,0"));
            }
            args.add(flag);
            if (!value.isEmpty()) {
                args.add(value);
            }
            CliRun.of(args.toArray(String[]::new)).assertRefused(flag + " does not apply");
        }
        assertTrue(seen.containsAll(EVERYWHERE), "stale: " + EVERYWHERE + " vs " + seen);
        assertTrue(seen.containsAll(VALUES.keySet()), "stale: " + VALUES.keySet() + " vs " + seen);
        assertNothingWritten();
    }

    @Test
    void theDrawsFlagsAreRefusedNextToExplicitIndices() {
        for (String flag : List.of("--calibration_size", "--calibration_seed")) {
            List<String> args = base("Xilinx", dir.resolve("q.prototxt"));
            args.addAll(List.of("--calibration_directory", IMAGES, "--calibration_indices", "0,1", flag, "4"));
            CliRun.of(args.toArray(String[]::new))
                    .assertRefused(flag + " does not apply with --calibration_indices");
        }
    }

    @Test
    void dimsThatDoNotFitTheNetAreRefusedAsInfer() throws Exception {
        List<String> args = base("Xilinx", dir.resolve("q.prototxt"));
        args.addAll(List.of("--calibration_directory", IMAGES, "--dims", "3,224,224"));
        CliRun.of(args.toArray(String[]::new)).assertRefused(
                "--dims 3,224,224 does not fit the net: its input 'data' is 10x3x32x32 (N first); give --dims "
                        + "3,32,32, or leave --dims out");
        assertNothingWritten();
        // infer reshapes a net to another height and width (InferCommandTest), but not to another channel count
        CliRun infer = CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--dims", "1,224,224");
        infer.assertRefused("--dims 1,224,224 does not fit the net: its input 'data' is 10x3x32x32");
    }

    /** Before: validate and compare counted an image labelled 99 of a 3-class net as wrong, exit 0 (infer refused it). */
    @Test
    void aLabelBeyondTheClassesIsRefused() throws Exception {
        Path q = dir.resolve("q.prototxt");
        List<String> export = base("Xilinx", q);
        export.addAll(List.of("--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--quiet"));
        assertEquals(0, CliRun.of(export.toArray(String[]::new)).status());
        Path list = Files.createDirectories(dir.resolve("set")).resolve("val.txt");
        Files.copy(Path.of(IMAGES, "red_00.png"), list.resolveSibling("red_00.png"));
        Files.copy(Path.of(IMAGES, "blue_00.png"), list.resolveSibling("blue_00.png"));
        Files.writeString(list, "red_00.png 0\nblue_00.png 99\n");
        String expected = list + ": image blue_00.png has label 99, but blob 'prob' has 3 classes (0-2)";
        CliRun.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images", list.toString(),
                "--no_sidecar", "--quiet").assertRefused(expected);
        CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images", list.toString(),
                "--calibration_directory", IMAGES, "--schemes", "naive:8", "--quiet").assertRefused(expected);
    }

    /** Before: validate --count 1000 on 60 images scored the 60 without a word. */
    @Test
    void aCountLargerThanTheSetIsNoted() {
        Path q = dir.resolve("q.prototxt");
        List<String> export = base("Xilinx", q);
        export.addAll(List.of("--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--quiet"));
        assertEquals(0, CliRun.of(export.toArray(String[]::new)).status());
        CliRun run = CliRun.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--count", "1000", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("xportdnn: note: --count 1000: the set has only 60 images; scored all of "
                + "them\n"), run.stderr());
        assertTrue(run.stdout().startsWith("60 images, 60 labelled"), run.stdout());
    }

    @Test
    void aCalibrationSizeLargerThanTheSetIsNoted() {
        List<String> args = base("Xilinx", dir.resolve("q.prototxt"));
        args.addAll(List.of("--calibration_directory", IMAGES, "--calibration_size", "1000", "--mean_value",
                "128,128,128", "--quiet"));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("xportdnn: note: --calibration_size 1000: the set has only 60 images; "
                + "calibrated on all of them\n"), run.stderr());
        assertFalse(run.stdout().isEmpty());
    }

    @Test
    void floatLayersThatAreNotDeviceLayersOfTheNetAreRefused() {
        Path q = dir.resolve("q.prototxt");
        List<String> args = base("Xilinx", q);
        args.addAll(List.of("--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--quiet"));
        assertEquals(0, CliRun.of(args.toArray(String[]::new)).status());
        List<String> validate = List.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--no_sidecar", "--quiet", "--float_layers");
        List<String> typo = new ArrayList<>(validate);
        typo.add("conv1,conv_2");
        CliRun.of(typo.toArray(String[]::new)).assertRefused(
                "--float_layers: the net has no layer 'conv_2' (close: conv2, conv1)");
        List<String> software = new ArrayList<>(validate);
        software.add("fc");
        CliRun.of(software.toArray(String[]::new)).assertRefused(
                "layer 'fc': --float_layers: its type, InnerProduct, is computed in float anyway");
    }

    @Test
    void validateOnUnlabelledImagesSaysSoAndStillCompares() {
        Path q = dir.resolve("q.prototxt");
        List<String> args = base("Xilinx", q);
        args.addAll(List.of("--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--quiet"));
        assertEquals(0, CliRun.of(args.toArray(String[]::new)).status());
        CliRun run = CliRun.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images", IMAGES,
                "--mean_value", "128,128,128", "--count", "10", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertFalse(run.stdout().contains("NaN"), run.stdout());
        assertTrue(run.stdout().contains("no labels, so no accuracy"), run.stdout());
        assertTrue(run.stdout().contains("top-1 agreement"), run.stdout());
        assertTrue(run.stdout().contains("SQNR"), run.stdout());
    }

    /** --no_sidecar acts where images are read for a prototxt; with an already preprocessed blob it is said to do nothing. */
    @Test
    void noSidecarWithAPreprocessedInputIsSaidToBeIgnored() throws Exception {
        Path input = dir.resolve("x.npy");
        Npy.write(new Blob(new int[] {1, 3, 32, 32}, new float[3 * 32 * 32]), input);
        CliRun run = CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--input", input.toString(),
                "--no_sidecar");
        assertEquals(0, run.status(), run.stderr());
        assertEquals("xportdnn: note: --no_sidecar ignored: --input is already preprocessed\n", run.stderr());
    }

    /** compare: the draw's flags next to explicit indices, and a seed without a draw, act nowhere. */
    @Test
    void compareRefusesFlagsThatDoNotApply() throws Exception {
        List<String> base = List.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--calibration_directory", IMAGES, "--schemes", "naive:8", "--json",
                dir.resolve("c.json").toString());
        for (String flag : List.of("--calibration_size", "--calibration_seed")) {
            List<String> args = new ArrayList<>(base);
            args.addAll(List.of("--calibration_indices", "0,1", flag, "4"));
            CliRun.of(args.toArray(String[]::new))
                    .assertRefused(flag + " does not apply with --calibration_indices");
        }
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of("--seed", "3"));
        CliRun.of(args.toArray(String[]::new)).assertRefused("--seed does not apply without --count");
        assertNothingWritten();
    }

    /** Per subcommand, the flags that act in every run of it; each other flag has a case in {@link #subcommandCases}. */
    private static final Map<String, Set<String>> ACTS_IN_EVERY_RUN = Map.of(
            "inspect", Set.of("--help", "--version", "--debug", "--deploy_model", "--weights", "--memory"),
            "infer", Set.of("--help", "--version", "--debug", "--quiet", "--deploy_model", "--weights", "--image",
                    "--input", "--images", "--blob", "--class_names"),
            "validate", Set.of("--help", "--version", "--debug", "--quiet", "--deploy_model", "--weights", "--images",
                    "--count", "--exclude_calibration", "--dims", "--transpose", "--channel_swap", "--raw_scale",
                    "--mean_value", "--mean_file", "--input_scale", "--no_sidecar", "--batch", "--blob", "--json",
                    "--report", "--layer_cost", "--float_layers", "--skip_bad_images"),
            "compare", Set.of("--help", "--version", "--debug", "--quiet", "--deploy_model", "--weights", "--images",
                    "--labels", "--count", "--calibration_directory", "--calibration_indices", "--schemes", "--dims",
                    "--transpose", "--channel_swap", "--raw_scale", "--mean_value", "--mean_file", "--input_scale",
                    "--batch", "--json", "--report", "--spark", "--skip_bad_images"),
            "bench", Set.of("--help", "--version", "--debug", "--deploy_model", "--weights", "--batch", "--threads",
                    "--warmup", "--warmup_seconds", "--iterations", "--seconds", "--json", "--per_layer", "--mode",
                    "--peak_gflops"),
            "threshold", Set.of("--help", "--version", "--debug", "--method", "--bitwidth", "--input"));

    /** A run of {@code command} where {@code flag} does not apply, and the words that must say so on stderr. */
    private record Case(String command, String flag, List<String> args, String words) {
    }

    private List<Case> subcommandCases() throws Exception {
        Path q = dir.resolve("q.prototxt");
        List<String> export = base("Xilinx", q);
        export.addAll(List.of("--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--quiet"));
        assertEquals(0, CliRun.of(export.toArray(String[]::new)).status());
        Path input = Files.createDirectories(dir.resolve("in")).resolve("x.npy");
        Npy.write(new Blob(new int[] {1, 3, 32, 32}, new float[3 * 32 * 32]), input);
        String image = IMAGES + "/blue_00.png";
        String val = "examples/tinynet/val.txt";
        List<String> infer = List.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS);
        // --no_sidecar: the sidecar's note would precede an error found while the images are read
        List<String> validate = List.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "--images",
                val, "--mean_value", "128,128,128", "--no_sidecar", "--quiet");
        List<String> compare = List.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images", val,
                "--calibration_directory", IMAGES, "--schemes", "naive:8");
        List<Case> cases = new ArrayList<>();
        java.util.function.BiFunction<List<String>, List<String>, List<String>> join = (a, b) -> {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        };
        cases.add(new Case("infer", "--labels", join.apply(infer, List.of("--image", image, "--labels", val)),
                "--labels goes with --images"));
        cases.add(new Case("infer", "--predictions", join.apply(infer, List.of("--image", image, "--predictions",
                dir.resolve("p.tsv").toString())), "--predictions goes with --images"));
        cases.add(new Case("infer", "--skip_bad_images", join.apply(infer, List.of("--image", image,
                "--skip_bad_images")), "--skip_bad_images goes with --images"));
        cases.add(new Case("infer", "--batch", join.apply(infer, List.of("--image", image, "--batch", "4")),
                "--batch goes with --images"));
        cases.add(new Case("infer", "--dump", join.apply(infer, List.of("--images", val, "--dump",
                dir.resolve("d").toString())), "--dump goes with one input"));
        cases.add(new Case("infer", "--output", join.apply(infer, List.of("--images", val, "--output",
                dir.resolve("o.npy").toString())), "--output goes with one input"));
        for (String[] flag : new String[][] {{"--dims", "3,32,32"}, {"--transpose", "2,0,1"},
            {"--channel_swap", "0,1,2"}, {"--raw_scale", "255"}, {"--mean_value", "1,2,3"},
            {"--mean_file", "mean.npy"}, {"--input_scale", "1"}}) {
            cases.add(new Case("infer", flag[0], join.apply(infer, List.of("--input", input.toString(), flag[0],
                    flag[1])), flag[0] + " ignored: --input is already preprocessed"));
        }
        cases.add(new Case("infer", "--no_sidecar", join.apply(infer, List.of("--input", input.toString(),
                "--no_sidecar")), "--no_sidecar ignored: --input is already preprocessed"));
        cases.add(new Case("validate", "--seed", join.apply(validate, List.of("--seed", "3")),
                "--seed does not apply without --count"));
        for (String[] flag : new String[][] {{"--calibration_size", "4"}, {"--calibration_seed", "2"},
            {"--calibration_indices", "0,1"}}) {
            cases.add(new Case("validate", flag[0], join.apply(validate, List.of(flag[0], flag[1])),
                    flag[0] + " does not apply without --exclude_calibration"));
        }
        for (String[] flag : new String[][] {{"--calibration_size", "4"}, {"--calibration_seed", "2"}}) {
            cases.add(new Case("validate", flag[0], join.apply(validate, List.of("--exclude_calibration",
                    "--calibration_indices", "0,1", flag[0], flag[1])),
                    flag[0] + " does not apply with --calibration_indices"));
        }
        cases.add(new Case("validate", "--labels", join.apply(validate, List.of("--labels", val)),
                "is a list that carries its own labels"));
        cases.add(new Case("validate", "--float_model", join.apply(validate, List.of("--float_model", DEPLOY)),
                "--float_model and --float_weights go together"));
        cases.add(new Case("validate", "--float_weights", join.apply(validate, List.of("--float_weights", WEIGHTS)),
                "--float_model and --float_weights go together"));
        cases.add(new Case("validate", "--spark", join.apply(validate, List.of("--layer_cost", "--spark", "local[1]")),
                "--layer_cost does not apply with --spark"));
        cases.add(new Case("compare", "--calibration_size", join.apply(compare, List.of("--calibration_indices",
                "0,1", "--calibration_size", "4")), "--calibration_size does not apply with --calibration_indices"));
        cases.add(new Case("compare", "--calibration_seed", join.apply(compare, List.of("--calibration_indices",
                "0,1", "--calibration_seed", "4")), "--calibration_seed does not apply with --calibration_indices"));
        cases.add(new Case("compare", "--seed", join.apply(compare, List.of("--seed", "3")),
                "--seed does not apply without --count"));
        cases.add(new Case("bench", "--clock_ghz", List.of("bench", "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--iterations", "1", "--clock_ghz", "2", "--peak_gflops", "100"), "--clock_ghz only feeds the peak"));
        return cases;
    }

    /**
     * Every option of every subcommand either acts in every run of it, or is given here where it does not apply and
     * is then refused in one line, or (an already preprocessed --input) acts as documented with a note naming it.
     */
    @Test
    void everySubcommandFlagActsOrIsSaidNotTo() throws Exception {
        List<Case> cases = subcommandCases();
        for (var sub : Main.commandLine().getSubcommands().entrySet()) {
            String command = sub.getKey();
            if (command.equals("help")) {
                continue;
            }
            Set<String> always = ACTS_IN_EVERY_RUN.get(command);
            assertNotNull(always, command + " is new: list the flags that act in every run of it");
            for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
                String flag = option.longestName();
                boolean hasCase = cases.stream().anyMatch(c -> c.command().equals(command) && c.flag().equals(flag));
                assertTrue(always.contains(flag) || hasCase, command + " " + flag + " is new: say where it does "
                        + "not apply (subcommandCases) or that it acts in every run (ACTS_IN_EVERY_RUN)");
            }
        }
        for (Case c : cases) {
            CliRun run = CliRun.of(c.args().toArray(String[]::new));
            String said = c.command() + " " + c.flag() + ": " + run.stderr();
            assertTrue(run.stderr().contains(c.words()), said);
            if (run.status() == 0) {
                assertTrue(run.stderr().startsWith("xportdnn: note: "), said);
            } else {
                assertEquals(2, run.status(), said);
                assertEquals(1, run.stderr().lines().count(), said);
                assertTrue(run.stderr().startsWith("xportdnn: error: "), said);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("q.prototxt", "q.prototxt.xportdnn.json", "in"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()), "no refused run wrote a file");
        }
    }
}
