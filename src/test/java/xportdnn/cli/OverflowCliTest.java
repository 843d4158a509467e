package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * Finite weights so large that float32 overflows (issue 12's open finding: Xilinx calibration ended with an internal
 * error on a histogram range of infinity): every command refuses in one line naming the first layer that overflows.
 * conv1's weights are 1e20, so on pixels of 1 to 255 its outputs reach 1e21 to 1e24 (finite); conv2's are +-1e20 on
 * those, so its outputs pass 3.4e38.
 */
class OverflowCliTest {

    private static final String NET = """
            name: "overflow"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 3 kernel_size: 3 } }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
            """;

    @TempDir
    Path dir;

    /** A caffemodel with every conv1 weight 1e20 and every conv2 weight {@code conv2Weight}, biases 0. */
    private static NetParameter weights(float conv2Weight) {
        NetParameter definition = TestWeights.definition(NET);
        NetParameter.Builder model = TestWeights.random(definition, 3).toBuilder();
        for (var l : model.getLayerBuilderList()) {
            float w = l.getName().equals("conv1") ? 1e20f : conv2Weight;
            BlobProto.Builder weightBlob = l.getBlobsBuilder(0);
            for (int i = 0; i < weightBlob.getDataCount(); i++) {
                weightBlob.setData(i, w);
            }
            BlobProto.Builder bias = l.getBlobsBuilder(1);
            for (int i = 0; i < bias.getDataCount(); i++) {
                bias.setData(i, 0f);
            }
        }
        return model.build();
    }

    @Test
    void engineNamesTheFirstLayerThatOverflows() {
        FloatEngine engine = new FloatEngine(NetLoader.build(TestWeights.definition(NET), weights(1e20f)));
        float[] ones = new float[2 * 3 * 8 * 8];
        Arrays.fill(ones, 1f);
        ModelException e = assertThrows(ModelException.class, () -> engine.forward(ones, 2, null));
        assertTrue(e.getMessage().startsWith("layer 'conv2': float32 overflows"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void engineNamesANonFiniteInput() {
        FloatEngine engine = new FloatEngine(NetLoader.build(TestWeights.definition(NET), weights(1e-20f)));
        float[] input = new float[3 * 8 * 8];
        input[7] = Float.NaN;
        ModelException e = assertThrows(ModelException.class, () -> engine.forward(input, 1, null));
        assertEquals("input blob 'data' holds infinite or NaN values; an input must be finite", e.getMessage());
    }

    @Test
    void finiteNetPasses() {
        FloatEngine engine = new FloatEngine(NetLoader.build(TestWeights.definition(NET), weights(1e-20f)));
        float[] ones = new float[3 * 8 * 8];
        Arrays.fill(ones, 1f);
        Map<String, INDArray> out = engine.forward(ones, 1, null);
        // conv1: 27 * 1e20 per position; conv2: 3 * 2.7e21 * 1e-20 = 81
        assertEquals(81f, out.get("conv2").getFloat(0, 0, 0, 0), 1e-3f);
    }

    /**
     * conv2's weights are -1e20 on conv1's non-negative outputs: it overflows to -infinity, which the ReLU turns
     * into 0, so the net's output is finite; calibration, which measures conv2's own output, still refuses.
     */
    @Test
    void xilinxCalibrationRefusesAnOverflowTheReluHides() throws IOException {
        Path prototxt = Files.writeString(dir.resolve("overflow.prototxt"), NET);
        Path caffemodel = Files.write(dir.resolve("overflow.caffemodel"), weights(-1e20f).toByteArray());
        Path out = dir.resolve("out.prototxt");
        Path report = dir.resolve("report.json");
        CliRun run = CliRun.of("--deploy_model", prototxt.toString(), "--weights", caffemodel.toString(),
                "--quantized_deploy_model", out.toString(), "--report", report.toString(),
                "--calibration_directory", "examples/tinynet/images", "--bitwidths", "8,8,8", "--quiet");
        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: layer 'conv2': float32 overflows"), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(report));
    }

    /** Through {@code infer --input}, on a blob of ones: conv2's outputs are +infinity, which the ReLU keeps. */
    @Test
    void inferRefusesInsteadOfPrintingInfiniteValues() throws IOException {
        Path prototxt = Files.writeString(dir.resolve("overflow.prototxt"), NET);
        Path caffemodel = Files.write(dir.resolve("overflow.caffemodel"), weights(1e20f).toByteArray());
        float[] ones = new float[3 * 8 * 8];
        Arrays.fill(ones, 1f);
        Path input = dir.resolve("ones.npy");
        Npy.write(new Blob(new int[] {1, 3, 8, 8}, ones), input);
        CliRun run = CliRun.of("infer", "--deploy_model", prototxt.toString(), "--weights", caffemodel.toString(),
                "--input", input.toString());
        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.stdout() + run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: layer 'conv2': float32 overflows"), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
    }
}
