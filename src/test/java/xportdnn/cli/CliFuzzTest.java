package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import xportdnn.fuzz.FuzzContract;

/**
 * Fuzzes the command line: arguments drawn from the flags and plausible values (the tiny example net, small test
 * files, output paths in a temporary folder) mixed with arbitrary strings. Whatever they are, the run ends with
 * exit 0 or exit 2 and one error line, never an internal error, a stack trace (unless --debug asks for one) or a
 * hang, and leaves no temporary file behind and, when it fails, no output file.
 */
class CliFuzzTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String OUT = "@OUT@";

    private static final String[] COMMANDS = {"", "inspect", "infer", "threshold", "validate", "--help", "--version"};
    private static final String[] FLAGS = {"--deploy_model", "--weights", "--quantized_deploy_model", "--quant_type",
            "--bitwidths", "--fl_bitwidths", "--allow_any_bitwidth", "--calibration_directory", "--calibration_size",
            "--calibration_seed", "--calibration_indices", "--threshold_method", "--dims", "--transpose",
            "--channel_swap", "--raw_scale", "--mean_value", "--mean_file", "--input_scale", "--batch", "--report",
            "--fuse_bn", "--quantized_weights", "--image", "--input", "--images", "--labels", "--predictions",
            "--class_names", "--blob", "--dump", "--output", "--method", "--bitwidth", "--count", "--json",
            "--exclude_calibration", "--no_sidecar", "--skip_bad_images", "-q", "--debug", "--help"};
    private static final String[] VALUES = {"examples/tinynet/deploy.prototxt", "examples/tinynet/tinynet.caffemodel",
            "examples/tinynet/images", "examples/tinynet/val.txt", "examples/tinynet/classes.txt",
            "examples/tinynet/images/blue_00.png", "testdata/npy/f4_1x2x3x4.npy", "testdata/npy/f4_2x3.npy",
            "testdata/images/grey.jpg", "/nonexistent/file", "", "Xilinx", "DynamicFixed", "8,8,8", "6,6,6", "2,5,2",
            "auto", "kl-j", "max", "percentile:99", "mse", "3,32,32", "1,8,8", "2,0,1", "2,1,0", "0,1,2", "0", "1",
            "-1", "2", "8", "255.0", "128,128,128", "1e9", "NaN", "2147483647", OUT + "/q.prototxt",
            OUT + "/r.json", OUT + "/w.caffemodel", OUT + "/dump", OUT + "/y.npy", OUT + "/p.tsv", OUT,
            OUT + "/missing/x.prototxt", "conv1", "prob"};

    static {
        FuzzContract.warmUp();
    }

    @FuzzTest(maxDuration = "24h")
    void cli(FuzzedDataProvider data) {
        Path out = FuzzContract.tempDir();
        try {
            String[] args = arguments(data, out);
            FuzzContract.holds(LIMIT, () -> check(args, out));
        } finally {
            FuzzContract.deleteTree(out);
        }
    }

    private static String[] arguments(FuzzedDataProvider data, Path out) {
        List<String> args = new ArrayList<>();
        String command = data.pickValue(COMMANDS);
        if (!command.isEmpty()) {
            args.add(command);
        }
        if (data.consumeBoolean()) {
            args.addAll(List.of("--deploy_model", VALUES[0], "--weights", VALUES[1]));
        }
        int n = data.consumeInt(0, 10);
        for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
            String arg = switch (data.consumeInt(0, 4)) {
                case 0, 1 -> data.pickValue(FLAGS);
                case 2, 3 -> data.pickValue(VALUES);
                default -> data.consumeString(24);
            };
            args.add(arg.replace(OUT, out.toString()));
        }
        return args.toArray(String[]::new);
    }

    private static void check(String[] args, Path out) throws IOException {
        CliRun run = CliRun.of(args);
        String what = String.join(" ", args) + " -> " + run.status() + ": " + run.stderr();
        assertTrue(run.status() == 0 || run.status() == Main.EXIT_BAD_INPUT, what);
        // a stack trace: a line of its own starting with a tab and "at " (an argument echoed in a message may hold one);
        // --debug asks for one
        if (!Arrays.asList(args).contains("--debug")) {
            assertFalse(run.stderr().lines().anyMatch(l -> l.startsWith("\tat ")), what);
        }
        if (run.status() == Main.EXIT_BAD_INPUT) {
            List<String> errors = run.stderr().lines().filter(l -> l.startsWith("xportdnn: error: ")).toList();
            assertEquals(1, errors.size(), what);
        }
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> left = files.filter(Files::isRegularFile).toList();
            assertTrue(left.stream().noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), what + left);
            if (run.status() != 0) {
                assertEquals(List.of(), left, what);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
