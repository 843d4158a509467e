package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flag values that used to run without a word though the result is not what the user meant. */
class FlagMistakesCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String IMAGES = "examples/tinynet/images";

    @TempDir
    Path dir;

    private CliRun export(String... more) {
        List<String> args = new ArrayList<>(List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", dir.resolve("q.prototxt").toString(), "--calibration_directory", IMAGES,
                "--mean_value", "128,128,128", "--quiet"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private void assertRefused(CliRun run, String... words) {
        run.assertRefused(words);
        assertFalse(Files.exists(dir.resolve("q.prototxt")));
    }

    /** CHaiDNN's activations have one bitwidth (spec: "the same for every layer's activations"). */
    @Test
    void activationsOfTwoBitwidthsAreRefusedUnlessAllowed() {
        assertRefused(export("--bitwidths", "6,8,8"), "--bitwidths 6,8,8: input and output activations differ",
                "give 8,8,8 or 6,8,6", "--allow_any_bitwidth");
        CliRun uniform = CliRun.of("--quant_type", "DynamicFixed", "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", dir.resolve("q.prototxt").toString(), "--bitwidths", "8,8,6",
                "--fl_bitwidths", "4,6,4", "--fuse_bn", "--quantized_weights", dir.resolve("q.caffemodel").toString());
        assertRefused(uniform, "--bitwidths 8,8,6: input and output activations differ");
    }

    @Test
    void weightsOfAnotherBitwidthThanActivationsAndAllowedMixesStillRun() {
        assertEquals(0, export("--bitwidths", "8,6,8").status());
        CliRun allowed = export("--bitwidths", "6,8,8", "--allow_any_bitwidth");
        assertEquals(0, allowed.status(), allowed.stderr());
    }

    /** The original tool's mode names in any case: 'dynamicfixed' writes what 'DynamicFixed' does. */
    @Test
    void theModeIsReadInAnyCase() throws Exception {
        assertRefused(export("--quant_type", "fixed"), "--quant_type", "Xilinx", "DynamicFixed");
        CliRun lower = export("--quant_type", "dynamicfixed", "--bitwidths", "8,8,8", "--fl_bitwidths", "auto",
                "--fuse_bn", "--quantized_weights", dir.resolve("q.caffemodel").toString());
        assertEquals(0, lower.status(), lower.stderr());
        String written = Files.readString(dir.resolve("q.prototxt"));
        assertTrue(written.contains("quant_type: \"DynamicFixed\""), written);
    }

    @Test
    void aRepeatedCalibrationIndexIsRefused() {
        assertRefused(export("--bitwidths", "8,8,8", "--calibration_indices", "0,1,2,2,4"),
                "--calibration_indices: 2 is given twice");
    }
}
