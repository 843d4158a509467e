package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After {@code --fuse_bn} the written prototxt has no BatchNorm/Scale and belongs with the written caffemodel. The
 * original caffemodel with it used to run silently without BatchNorm (Caffe ignores a caffemodel's extra layers);
 * the folded caffemodel with the original prototxt was refused without saying why. (Without the sidecar, a
 * caffemodel that stores its layers' types and bottoms, as Caffe writes them, is refused too: FoldingMismatchTest.)
 */
class WrongWeightsCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String VAL = "examples/tinynet/val.txt";

    @TempDir
    Path dir;

    private Path folded;
    private Path foldedWeights;

    @BeforeEach
    void exportFolded() {
        folded = dir.resolve("q.prototxt");
        foldedWeights = dir.resolve("q.caffemodel");
        CliRun run = CliRun.of("--quant_type", "DynamicFixed", "--fuse_bn", "--deploy_model", DEPLOY, "--weights",
                WEIGHTS, "--quantized_deploy_model", folded.toString(), "--quantized_weights",
                foldedWeights.toString(), "--bitwidths", "8,8,8", "--fl_bitwidths", "auto", "--calibration_directory",
                "examples/tinynet/images", "--calibration_size", "8", "--mean_value", "128,128,128", "--quiet");
        assertEquals(0, run.status(), run.stderr());
    }

    @Test
    void validateNamesTheWrittenWeightsWhenGivenTheExportsInput() {
        CliRun run = CliRun.of("validate", "--deploy_model", folded.toString(), "--weights", WEIGHTS, "--images", VAL,
                "--quiet");
        run.assertRefused("the caffemodel the export read", "BatchNorm folded", "--weights " + foldedWeights);
    }

    @Test
    void theFoldedWeightsWithTheOriginalPrototxtAreExplained() {
        CliRun run = CliRun.of("infer", "--deploy_model", DEPLOY, "--weights", foldedWeights.toString(), "--images",
                VAL, "--quiet");
        run.assertRefused("layer 'bn1'", "holds no BatchNorm layer at all", "--quantized_weights");
    }

    /** Without the sidecar, the shipped caffemodel's layer types and bottoms tell that BatchNorm is left out. */
    @Test
    void theOriginalWeightsWithTheFoldedPrototxtAreRefusedWithoutTheSidecar() {
        CliRun run = CliRun.of("validate", "--deploy_model", folded.toString(), "--weights", WEIGHTS, "--images", VAL,
                "--no_sidecar", "--mean_value", "128,128,128", "--quiet");
        run.assertRefused("BatchNorm layer 'bn1' normalizes the output 'conv1' of Convolution 'conv1'",
                "but the prototxt has no such layer");
    }

    @Test
    void otherWeightsThanTheWrittenOnesAreWarnedAbout() throws Exception {
        Path other = dir.resolve("other.caffemodel");
        byte[] bytes = Files.readAllBytes(foldedWeights);
        byte[] changed = Arrays.copyOf(bytes, bytes.length + 3);
        changed[bytes.length] = (byte) 0xA0; // field 100, a varint: unknown to caffe.proto, so the same net
        changed[bytes.length + 1] = 0x06;
        changed[bytes.length + 2] = 0x01;
        Files.write(other, changed);
        CliRun run = CliRun.of("validate", "--deploy_model", folded.toString(), "--weights", other.toString(),
                "--images", VAL, "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("warning: " + other + " is not the caffemodel the export wrote"),
                run.stderr());
    }
}
