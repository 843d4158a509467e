package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData.Model;

/**
 * The class-score step warning on the real nets: SqueezeNet v1.0's class scores come out of its global average
 * pooling, which in Xilinx mode keeps conv_final's threshold, so at 6 bits (31 codes) many images' two best classes
 * fall within one step; ResNet-20's come out of an InnerProduct, computed in software, and are never named.
 */
class ClassScoreStepCliTest {

    private static final String WARNING = "writes the class scores in steps of";

    @TempDir
    Path dir;

    private CliRun export(Model model, String bitwidths) {
        List<String> args = new ArrayList<>(List.of("--deploy_model", model.prototxt().toString(), "--weights",
                model.caffemodel().toString(), "--quantized_deploy_model", dir.resolve("q.prototxt").toString(),
                "--bitwidths", bitwidths, "--calibration_size", "24", "--quiet"));
        args.addAll(XilinxCliTest.calibration(model));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        return run;
    }

    @Test
    void squeezeNetSixBitXilinxScoresAreNamedResNet20sAreNot() {
        CliRun squeezenet = export(Model.SQUEEZENET, "6,6,6");
        assertTrue(squeezenet.stderr().contains("xportdnn: warning: layer 'pool_final' " + WARNING), squeezenet.stderr());
        assertTrue(squeezenet.stderr().contains("(th_layer_out "), squeezenet.stderr());
        assertTrue(squeezenet.stderr().contains("--float_layers conv_final,pool_final"), squeezenet.stderr());
        assertFalse(export(Model.RESNET20, "6,6,6").stderr().contains(WARNING));
    }
}
