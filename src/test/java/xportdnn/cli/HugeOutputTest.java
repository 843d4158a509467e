package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.engine.FloatEngine;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/** A net whose shapes cannot fit in memory (one huge pad) is refused before the engine allocates, in one line. */
class HugeOutputTest {

    private static final String NET = """
            name: "padded"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 20 kernel_size: 3 pad: 5000 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            """;

    @TempDir
    Path dir;

    @Test
    void engineRefusesBeforeAllocating() {
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 1));
        FloatEngine engine = new FloatEngine(net);
        ModelException e = assertThrows(ModelException.class,
                () -> engine.forward(new float[2 * 3 * 8 * 8], 2, null));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("layer 'conv': its output 2x20x10006x10006 (batch 2) needs 16.0 GB; "),
                e.getMessage());
        assertTrue(e.getMessage().contains("more than the "), e.getMessage());
    }

    @Test
    void exportRefusesQuicklyAndWritesNothing() throws IOException {
        Path prototxt = Files.writeString(dir.resolve("padded.prototxt"), NET);
        NetParameter definition = TestWeights.definition(NET);
        Path weights = Files.write(dir.resolve("padded.caffemodel"), TestWeights.random(definition, 1).toByteArray());
        Path out = dir.resolve("out.prototxt");
        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.of(
                "--deploy_model", prototxt.toString(), "--weights", weights.toString(),
                "--quantized_deploy_model", out.toString(), "--calibration_directory",
                Path.of("examples/tinynet/images").toString(), "--bitwidths", "8,8,8", "--mean_value", "128,128,128",
                "--quiet"));
        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: layer 'conv': its output 8x20x10006x10006 (batch 8)"),
                run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertFalse(Files.exists(out));
    }
}
