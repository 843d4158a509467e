package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.SharedData.Model;
import xportdnn.SharedData;
import xportdnn.engine.FloatEngine;
import xportdnn.export.XilinxExporter;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.pipeline.Sidecar;

/**
 * Xilinx mode end to end through {@link Main#run} on the real models, checked against the contract of
 * chaidnn-precision.md: which layers carry a block and with which fields, th_params = per-channel max |w| of the
 * (BatchNorm/Scale-fused) weights computed here by hand, every th_layer_in equal to the effective th_layer_out of
 * the blob it reads, and no NaN or zero threshold.
 */
class XilinxCliTest {

    private static final Set<String> ACTIVATIONS = Set.of("bw_layer_in", "bw_layer_out", "th_layer_in",
            "th_layer_out");
    private static final Set<String> BLOCK_TYPES = Set.of("Convolution", "BatchNorm", "Scale", "Pooling", "Eltwise",
            "Permute", "ReLU", "Deconvolution", "Concat", "Normalize", "Input");

    @TempDir
    Path dir;

    /** The calibration images and preprocessing flags of each model (reference/<model>/preprocess.md). */
    static List<String> calibration(Model model) {
        String data = SharedData.require("data").toString();
        return switch (model) {
            case LENET -> List.of("--calibration_directory", data + "/mnist/t10k-images-idx3-ubyte.gz",
                    "--channel_swap", "0", "--mean_value", "0", "--input_scale", "0.00390625");
            case CIFAR10_QUICK, CIFAR10_FULL, RESNET20 -> List.of("--calibration_directory",
                    data + "/cifar10-test/images", "--channel_swap", "0,1,2", "--mean_file",
                    data + "/cifar10-test/mean.npy");
            case SQUEEZENET -> List.of("--calibration_directory", data + "/imagenet-val-500/val.txt");
            case YUFACE -> List.of("--calibration_directory", data + "/faces");
        };
    }

    static Stream<Arguments> modelsAndBitwidths() {
        List<Arguments> all = new ArrayList<>();
        for (Model m : Model.values()) {
            all.add(Arguments.of(m, "6,6,6"));
            all.add(Arguments.of(m, "8,8,8"));
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("modelsAndBitwidths")
    void exportSatisfiesTheContract(Model model, String bitwidths) throws Exception {
        Path out = dir.resolve("out.prototxt");
        List<String> args = new ArrayList<>(List.of("--deploy_model", model.prototxt().toString(), "--weights",
                model.caffemodel().toString(), "--quantized_deploy_model", out.toString(), "--bitwidths", bitwidths,
                "--calibration_size", "4", "--quiet"));
        args.addAll(calibration(model));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("xportdnn: calibrated on "), run.stdout());
        int bits = Integer.parseInt(bitwidths.substring(0, 1));

        NetParameter.Builder written = NetParameter.newBuilder();
        TextFormat.getParser().merge(Files.readString(out), written);
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        Map<String, float[]> expectedParams = fusedWeightThresholds(net);
        Map<String, Float> blobThreshold = new HashMap<>();
        int blocks = 0;
        for (LayerParameter l : written.getLayerList()) {
            boolean supported = !Set.of("LRN").contains(l.getType())
                    && !(l.getType().equals("ReLU") && l.getReluParam().getNegativeSlope() != 0);
            assertEquals(BLOCK_TYPES.contains(l.getType()) && supported, l.hasPrecisionParam(), l.getName());
            if (!l.hasPrecisionParam()) {
                continue;
            }
            blocks++;
            PrecisionParameter p = l.getPrecisionParam();
            Set<String> fields = fieldNames(p);
            if (l.getType().equals("Input")) {
                assertEquals(Set.of("bw_layer_out", "th_layer_out"), fields, l.getName());
            } else {
                Set<String> expected = new TreeSet<>(ACTIVATIONS);
                if (Set.of("Convolution", "Deconvolution", "Normalize").contains(l.getType())) {
                    expected.addAll(Set.of("bw_params", "th_params"));
                }
                if (!l.getType().equals("ReLU")) {
                    expected.add("quant_type");
                    assertEquals("Xilinx", p.getQuantType());
                }
                assertEquals(expected, fields, l.getName());
                assertEquals(bits, p.getBwLayerIn());
                assertPositive(l.getName() + " th_layer_in", p.getThLayerIn());
                Float producer = blobThreshold.get(l.getBottom(0));
                if (producer != null && !l.getType().equals("Concat")) {
                    assertEquals(producer, p.getThLayerIn(), 0f, l.getName() + " reads " + l.getBottom(0));
                }
            }
            assertEquals(bits, p.getBwLayerOut());
            assertPositive(l.getName() + " th_layer_out", p.getThLayerOut());
            for (String top : l.getTopList()) {
                blobThreshold.put(top, p.getThLayerOut());
            }
            if (l.getType().equals("Convolution")) {
                float[] expected = expectedParams.get(l.getName());
                assertEquals(l.getConvolutionParam().getNumOutput(), p.getThParamsCount(), l.getName());
                for (int c = 0; c < expected.length; c++) {
                    // A pruned (all-zero) channel gets the exporter's tiny stand-in: CHaiDNN divides by it.
                    float want = expected[c] == 0 ? XilinxExporter.ZERO_THRESHOLD_STAND_IN : expected[c];
                    assertEquals(want, p.getThParams(c), 2e-6f * want, l.getName() + " channel " + c);
                }
            }
        }
        assertTrue(blocks > 0);
        assertEquals(Set.of(out, Sidecar.beside(out)), Set.copyOf(listFiles()));
    }

    /** Eltwise bottoms share the max; Concat bottoms share the concat's threshold (checked on the written file). */
    @Test
    void eltwiseAndConcatInputsShareTheirThreshold() throws Exception {
        for (Model model : List.of(Model.RESNET20, Model.SQUEEZENET)) {
            Path out = dir.resolve(model.folder + ".prototxt");
            List<String> args = new ArrayList<>(List.of("--deploy_model", model.prototxt().toString(), "--weights",
                    model.caffemodel().toString(), "--quantized_deploy_model", out.toString(), "--bitwidths",
                    "8,8,8", "--calibration_size", "3", "--quiet"));
            args.addAll(calibration(model));
            assertEquals(0, CliRun.of(args.toArray(String[]::new)).status());
            NetParameter.Builder written = NetParameter.newBuilder();
            TextFormat.getParser().merge(Files.readString(out), written);
            Map<String, Float> last = new HashMap<>();
            int checked = 0;
            for (LayerParameter l : written.getLayerList()) {
                if (l.getType().equals("Eltwise") || l.getType().equals("Concat")) {
                    for (String b : l.getBottomList()) {
                        assertEquals(l.getPrecisionParam().getThLayerIn(), last.get(b), 0f, l.getName() + " <- " + b);
                    }
                    checked++;
                }
                if (l.hasPrecisionParam()) {
                    l.getTopList().forEach(t -> last.put(t, l.getPrecisionParam().getThLayerOut()));
                }
            }
            assertTrue(checked >= 8, model + ": " + checked);
        }
    }

    @Test
    void fusedNetAndWeightsRunWithTheSameOutputs() throws Exception {
        Model model = Model.RESNET20;
        Path out = dir.resolve("folded.prototxt");
        Path weights = dir.resolve("folded.caffemodel");
        List<String> args = new ArrayList<>(List.of("--deploy_model", model.prototxt().toString(), "--weights",
                model.caffemodel().toString(), "--quantized_deploy_model", out.toString(), "--fuse_bn",
                "--quantized_weights", weights.toString(), "--bitwidths", "8,8,8", "--calibration_size", "2",
                "--report", dir.resolve("report.json").toString(), "--quiet"));
        args.addAll(calibration(model));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        Net folded = NetLoader.load(out, weights);
        assertTrue(folded.layers().stream().noneMatch(l -> l.type().equals("BatchNorm") || l.type().equals("Scale")));
        Net original = NetLoader.load(model.prototxt(), model.caffemodel());
        Blob input = Npy.read(model.reference("input.npy"));
        INDArray a = new FloatEngine(original).forward(input.data(), 1, null).get("prob");
        INDArray b = new FloatEngine(folded).forward(input.data(), 1, null).get("prob");
        assertTrue(a.equalsWithEps(b, 1e-5), a + " vs " + b);
        String report = Files.readString(dir.resolve("report.json"));
        assertTrue(report.contains("\"threshold_method\": \"kl-j\"") && report.contains("\"clipped_fraction\""));
    }

    @Test
    void badInputExitsTwoWithOneLineAndNoOutput() throws Exception {
        Path out = dir.resolve("out.prototxt");
        String deploy = "examples/tinynet/deploy.prototxt";
        String weights = "examples/tinynet/tinynet.caffemodel";
        String images = "examples/tinynet/images";
        String[][] cases = {
            {"missing --calibration_directory", "--deploy_model", deploy, "--weights", weights,
                "--quantized_deploy_model", out.toString()},
            {"unknown method 'entropy'", "--deploy_model", deploy, "--weights", weights, "--quantized_deploy_model",
                out.toString(), "--calibration_directory", images, "--threshold_method", "entropy"},
            {"--fuse_bn needs --quantized_weights", "--deploy_model", deploy, "--weights", weights,
                "--quantized_deploy_model", out.toString(), "--calibration_directory", images, "--fuse_bn"},
            {"CHaiDNN supports only 6 or 8 bits", "--deploy_model", deploy, "--weights", weights,
                "--quantized_deploy_model", out.toString(), "--calibration_directory", images, "--bitwidths",
                "7,7,7"},
            {"--calibration_indices: 99", "--deploy_model", deploy, "--weights", weights,
                "--quantized_deploy_model", out.toString(), "--calibration_directory", images,
                "--calibration_indices", "0,99"},
            {"missing.prototxt", "--deploy_model", dir.resolve("missing.prototxt").toString(), "--weights", weights,
                "--quantized_deploy_model", out.toString(), "--calibration_directory", images},
        };
        for (String[] c : cases) {
            CliRun run = CliRun.of(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, run.status(), c[0] + ": " + run.stderr());
            assertEquals(1, run.stderr().lines().count(), run.stderr());
            assertTrue(run.stderr().startsWith("xportdnn: error: ") && run.stderr().contains(c[0]), run.stderr());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void theShippedExampleCalibratesOnItsImages() throws Exception {
        Path out = dir.resolve("tiny.prototxt");
        CliRun run = CliRun.of("--deploy_model", "examples/tinynet/deploy.prototxt", "--weights",
                "examples/tinynet/tinynet.caffemodel", "--quantized_deploy_model", out.toString(),
                "--calibration_directory", "examples/tinynet/images", "--mean_value", "128,128,128",
                "--bitwidths", "8,8,8", "--calibration_indices", "0,5,10,20", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertEquals("xportdnn: calibrated on 4 images (kl-j); wrote 9 Xilinx precision_param blocks (bitwidths "
                + "8,8,8) to " + out + "\n", run.stdout());
        assertTrue(run.stderr().contains("batch dimension of input 'data' set to 1 (was 10)"), run.stderr());
    }

    private List<Path> listFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static void assertPositive(String what, float v) {
        assertTrue(Float.isFinite(v) && v > 0, what + " = " + v);
    }

    private static Set<String> fieldNames(PrecisionParameter p) {
        Set<String> names = new TreeSet<>();
        for (FieldDescriptor f : p.getAllFields().keySet()) {
            names.add(f.getName());
        }
        return names;
    }

    /**
     * Per output channel max |w'| with w' = w * gamma / sqrt(var / s + eps) where BatchNorm (and Scale) rewrite the
     * convolution's output in place, as the runtime fuses them; plain max |w| otherwise.
     */
    private static Map<String, float[]> fusedWeightThresholds(Net net) {
        Map<String, float[]> out = new HashMap<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer conv = layers.get(i);
            if (!conv.type().equals("Convolution")) {
                continue;
            }
            Blob w = conv.weights().get(0);
            int channels = w.shape()[0];
            double[] factor = new double[channels];
            java.util.Arrays.fill(factor, 1);
            for (int j = i + 1; j < layers.size() && layers.get(j).inPlace()
                    && layers.get(j).bottoms().get(0).equals(conv.tops().get(0)); j++) {
                Layer next = layers.get(j);
                if (next.type().equals("BatchNorm")) {
                    float s = next.weights().get(2).data()[0];
                    double eps = next.param().getBatchNormParam().getEps();
                    for (int c = 0; c < channels; c++) {
                        double var = s == 0 ? 0 : next.weights().get(1).data()[c] / s;
                        factor[c] /= Math.sqrt(var + eps);
                    }
                } else if (next.type().equals("Scale")) {
                    for (int c = 0; c < channels; c++) {
                        factor[c] *= next.weights().get(0).data()[c];
                    }
                }
            }
            int per = w.count() / channels;
            float[] th = new float[channels];
            for (int c = 0; c < channels; c++) {
                double m = 0;
                for (int k = 0; k < per; k++) {
                    m = Math.max(m, Math.abs(w.data()[c * per + k] * factor[c]));
                }
                th[c] = (float) m;
            }
            out.put(conv.name(), th);
        }
        return out;
    }
}
