package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import xportdnn.SharedData;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.SmallNet;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.pipeline.Sidecar;
import xportdnn.precision.InParamsOut;

/** The original tool's flags in DynamicFixed mode, end to end through {@link Main#run}. */
class DynamicFixedCliTest {

    /** Spec section 3, DynamicFixed column, and the fields listed for each type. */
    private static final Set<String> COMMON =
            Set.of("bw_layer_in", "bw_layer_out", "fl_layer_in", "fl_layer_out", "quant_type");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Convolution", with("bw_params", "fl_params"),
            "BatchNorm", with("batchnorm_mean_bw", "batchnorm_mean_fl", "batchnorm_variance_bw",
                    "batchnorm_variance_fl"),
            "Scale", with("scale_gamma_bw", "scale_gamma_fl", "scale_beta_bw", "scale_beta_fl",
                    "scale_gamma_by_std_bw", "scale_gamma_by_std_fl"),
            "Pooling", COMMON,
            "Eltwise", COMMON,
            "Permute", COMMON);

    @TempDir
    Path dir;

    private String stdout;
    private String stderr;

    private int run(String... args) {
        CliRun r = CliRun.of(args);
        stdout = r.stdout();
        stderr = r.stderr();
        return r.status();
    }

    @ParameterizedTest
    @EnumSource(SharedData.Model.class)
    void exportsEveryRealModel(SharedData.Model model) throws Exception {
        Path out = dir.resolve("quantized.prototxt");
        int status = run("--quant_type", "DynamicFixed", "--deploy_model", model.prototxt().toString(),
                "--weights", model.caffemodel().toString(), "--quantized_deploy_model", out.toString(),
                "--bitwidths", "8,8,8", "--fl_bitwidths", "4,6,3");
        if (model == SharedData.Model.RESNET20) {
            // unfolded, the runtime's own BatchNorm fusion would starve its weights: refused, nothing written
            assertEquals(2, status, stderr);
            assertTrue(stderr.startsWith("xportdnn: error: layer 'Convolution1': the runtime fuses it"), stderr);
            assertTrue(stderr.contains("--fuse_bn"), stderr);
            assertEquals(1, stderr.lines().count(), stderr);
            assertEquals(Set.of(), files(dir));
            return;
        }
        assertEquals(0, status, stderr);
        NetParameter written = parseStrictly(out);

        NetParameter.Builder expected = NetLoader.load(model.prototxt(), model.caffemodel()).definition().toBuilder();
        boolean batchWasOne = true;
        for (LayerParameter.Builder l : expected.getLayerBuilderList()) {
            if (l.getType().equals("Input")) {
                for (BlobShape.Builder shape : l.getInputParamBuilder().getShapeBuilderList()) {
                    batchWasOne &= shape.getDim(0) == 1;
                    shape.setDim(0, 1);
                }
            }
            l.clearPrecisionParam();
        }
        NetParameter.Builder withoutBlocks = written.toBuilder();
        withoutBlocks.getLayerBuilderList().forEach(LayerParameter.Builder::clearPrecisionParam);
        assertEquals(expected.build(), withoutBlocks.build());
        assertEquals(!batchWasOne, stderr.contains("batch dimension of input"), stderr);

        int blocks = 0;
        for (LayerParameter l : written.getLayerList()) {
            Set<String> fields = FIELDS.get(l.getType());
            assertEquals(fields != null, l.hasPrecisionParam(), l.getName());
            if (fields != null) {
                blocks++;
                PrecisionParameter p = l.getPrecisionParam();
                assertEquals(fields, fieldNames(p), l.getName());
                assertEquals("DynamicFixed", p.getQuantType());
                assertEquals(8, p.getBwLayerIn());
                assertEquals(4, p.getFlLayerIn());
                assertEquals(3, p.getFlLayerOut());
            }
        }
        assertTrue(blocks > 0);
        assertEquals("xportdnn: wrote " + blocks + " DynamicFixed precision_param blocks (bitwidths 8,8,8, "
                + "fractional lengths 4,6,3) to " + out + "\n", stdout);
        assertEquals(Set.of(out, Sidecar.beside(out)), files(dir));
    }

    /** ResNet-20's first BatchNorm: the mean fl from the caffemodel's own blobs, saturation checked in BigDecimal. */
    @Test
    void resnetBatchNormMeanFlMatchesAHandComputation() throws Exception {
        SharedData.Model model = SharedData.Model.RESNET20;
        NetParameter caffemodel;
        try (var in = Files.newInputStream(model.caffemodel())) {
            caffemodel = NetParameter.parseFrom(in);
        }
        LayerParameter stored = caffemodel.getLayerList().stream()
                .filter(l -> l.getName().equals("BatchNorm1")).findFirst().orElseThrow();
        BlobProto mean = stored.getBlobs(0);
        float factor = stored.getBlobs(2).getData(0);
        int expectedFl = Integer.MIN_VALUE;
        for (int fl = 31; fl > -64 && expectedFl == Integer.MIN_VALUE; fl--) {
            boolean fits = true;
            for (float v : mean.getDataList()) {
                BigDecimal q = new BigDecimal(v / factor).multiply(new BigDecimal(Math.pow(2, fl)))
                        .setScale(0, RoundingMode.HALF_UP); // HALF_UP is half away from zero
                fits &= q.compareTo(BigDecimal.valueOf(-32)) >= 0 && q.compareTo(BigDecimal.valueOf(31)) <= 0;
            }
            if (fits) {
                expectedFl = fl;
            }
        }
        // the exporter itself: the command refuses this unfolded net (the runtime's fusion would starve its weights)
        NetParameter written = DynamicFixedExporter.export(NetLoader.load(model.prototxt(), model.caffemodel()),
                new InParamsOut(6, 6, 6), new InParamsOut(2, 5, 2), false).net();
        LayerParameter bn = written.getLayerList().stream()
                .filter(l -> l.getName().equals("BatchNorm1")).findFirst().orElseThrow();
        assertEquals(6, bn.getPrecisionParam().getBatchnormMeanBw()); // default --bitwidths 6,6,6
        assertEquals(expectedFl, bn.getPrecisionParam().getBatchnormMeanFl());
        assertEquals(2, bn.getPrecisionParam().getFlLayerIn());       // default --fl_bitwidths 2,5,2
    }

    @Test
    void smallNetWithNotesOnStderr() throws Exception {
        Path[] in = writeSmallNet();
        Path out = dir.resolve("q.prototxt");
        assertEquals(0, run("--quant_type", "DynamicFixed", "--deploy_model", in[0].toString(),
                "--weights", in[1].toString(), "--quantized_deploy_model", out.toString()), stderr);
        // sc2, a Scale after a pooling with no BatchNorm before it, is one CHaiDNN's runtime stops at
        List<String> lines = stderr.lines().toList();
        assertEquals(2, lines.size(), stderr);
        assertEquals("xportdnn: note: batch dimension of input 'data' set to 1 (was 4): CHaiDNN runs one image "
                + "at a time", lines.get(0));
        assertTrue(lines.get(1).startsWith("xportdnn: warning: BatchNorm/Scale layer 'sc2' (Scale, reads no "
                + "BatchNorm's output) without its partner: "), stderr);
        assertEquals("xportdnn: wrote 7 DynamicFixed precision_param blocks (bitwidths 6,6,6, fractional lengths "
                + "2,5,2) to " + out + "\n", stdout);
        PrecisionParameter conv = parseStrictly(out).getLayer(1).getPrecisionParam();
        assertEquals(6, conv.getBwParams());
        assertEquals(5, conv.getFlParams());
    }

    @Test
    void badListsExitTwoNamingTheFlag() throws Exception {
        Path[] in = writeSmallNet();
        Path out = dir.resolve("q.prototxt");
        for (String[] bad : new String[][] {{"--bitwidths", "8,8"}, {"--bitwidths", "8,x,8"},
                {"--fl_bitwidths", "1,2,3,4"}, {"--fl_bitwidths", ""}, {"--quant_type", "Ristretto"}}) {
            int status = run("--quant_type", "DynamicFixed", "--deploy_model", in[0].toString(),
                    "--weights", in[1].toString(), "--quantized_deploy_model", out.toString(), bad[0], bad[1]);
            assertEquals(2, status, String.join(" ", bad));
            String first = stderr.lines().findFirst().orElse("");
            assertTrue(first.startsWith("xportdnn: error: ") && first.contains(bad[0]), stderr);
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void errorPathsExitTwoAndWriteNothing() throws Exception {
        Path[] in = writeSmallNet();
        Path out = dir.resolve("q.prototxt");
        String deploy = in[0].toString();
        String weights = in[1].toString();

        assertError("missing --calibration_directory", "--deploy_model", deploy, "--weights", weights,
                "--quantized_deploy_model", out.toString());
        assertError("missing --calibration_directory", "--quant_type", "DynamicFixed", "--fl_bitwidths", "auto",
                "--deploy_model", deploy, "--weights", weights, "--quantized_deploy_model", out.toString());
        assertError("CHaiDNN supports only 6 or 8 bits", "--quant_type", "DynamicFixed", "--deploy_model", deploy,
                "--weights", weights, "--quantized_deploy_model", out.toString(), "--bitwidths", "6,7,6");
        assertError("missing --weights", "--quant_type", "DynamicFixed", "--deploy_model", deploy,
                "--quantized_deploy_model", out.toString());
        assertError("missing --quantized_deploy_model", "--quant_type", "DynamicFixed", "--deploy_model", deploy,
                "--weights", weights);
        assertError(dir.resolve("absent.prototxt").toString(), "--quant_type", "DynamicFixed",
                "--deploy_model", dir.resolve("absent.prototxt").toString(), "--weights", weights,
                "--quantized_deploy_model", out.toString());
        assertFalse(Files.exists(out));

        String before = Files.readString(in[0]);
        assertError("refusing to overwrite the input " + deploy, "--quant_type", "DynamicFixed",
                "--deploy_model", deploy, "--weights", weights, "--quantized_deploy_model", deploy);
        assertEquals(before, Files.readString(in[0]));
        assertEquals(Set.of(in[0], in[1]), files(dir));
    }

    @Test
    void anyBitwidthWhenAllowed() throws Exception {
        Path[] in = writeSmallNet();
        Path out = dir.resolve("q.prototxt");
        assertEquals(0, run("--quant_type", "DynamicFixed", "--deploy_model", in[0].toString(),
                "--weights", in[1].toString(), "--quantized_deploy_model", out.toString(),
                "--bitwidths", "7, 4 ,16", "--allow_any_bitwidth"), stderr);
        PrecisionParameter conv = parseStrictly(out).getLayer(1).getPrecisionParam();
        assertEquals(7, conv.getBwLayerIn());
        assertEquals(4, conv.getBwParams());
        assertEquals(16, conv.getBwLayerOut());
    }

    @Test
    void noArgumentsPrintsUsage() {
        assertEquals(0, run());
        assertTrue(stdout.contains("xportdnn --help"), stdout); // a short usage; the flags are in --help
    }

    private void assertError(String expected, String... args) {
        assertEquals(2, run(args), stderr);
        assertTrue(stderr.startsWith("xportdnn: error: ") && stderr.contains(expected), stderr);
        assertEquals(1, stderr.lines().count(), stderr);
        assertEquals("", stdout);
    }

    /** The small net of the exporter test, as files. */
    private Path[] writeSmallNet() throws Exception {
        Path deploy = Files.writeString(dir.resolve("small.prototxt"),
                SmallNet.DEFINITION);
        Path weights = Files.write(dir.resolve("small.caffemodel"),
                SmallNet.weights().toByteArray());
        return new Path[] {deploy, weights};
    }

    private static NetParameter parseStrictly(Path file) throws IOException {
        NetParameter.Builder b = NetParameter.newBuilder();
        TextFormat.getParser().merge(Files.readString(file, StandardCharsets.UTF_8), b); // unknown fields throw
        return b.build();
    }

    private static Set<String> fieldNames(PrecisionParameter p) {
        Set<String> names = new TreeSet<>();
        for (FieldDescriptor f : p.getAllFields().keySet()) {
            names.add(f.getName());
        }
        return names;
    }

    private static Set<String> with(String... more) {
        Set<String> s = new TreeSet<>(COMMON);
        s.addAll(Set.of(more));
        return s;
    }

    private static Set<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.toList());
        }
    }
}
