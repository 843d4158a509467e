package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputFile;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.TestStatistics;
import xportdnn.quant.ThresholdMethod;
import xportdnn.quant.XilinxThresholds;

class BatchNormFolderTest {

    private static final String INPUT =
            "layer { name: \"data\" type: \"Input\" top: \"data\""
            + " input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } } }\n";

    /** conv weights [[0.5, -0.25], [1, 2]], bias [0.1, -1]. */
    private static final NetParameter.Builder CONV = NetParameter.newBuilder().addLayer(layer("conv",
            blob(new int[] {2, 2, 1, 1}, 0.5f, -0.25f, 1f, 2f), blob(new int[] {2}, 0.1f, -1f)));

    /** BatchNorm: stored mean [1.5, -0.3], variance [8, 0.03], factor 2: true mean [0.75, -0.15], var [4, 0.015]. */
    private static final NetParameter.Builder BN_SCALE = CONV.clone()
            .addLayer(layer("bn", blob(new int[] {2}, 1.5f, -0.3f), blob(new int[] {2}, 8f, 0.03f),
                    blob(new int[] {1}, 2f)))
            .addLayer(layer("sc", blob(new int[] {2}, 2f, -0.5f), blob(new int[] {2}, 0.25f, 3f)));

    /** conv, then BatchNorm (eps 0.001) and Scale with a bias, in place on its output 'c'. */
    private static final String CONV_BN_SCALE = INPUT
            + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\""
            + " convolution_param { num_output: 2 kernel_size: 1 } }\n"
            + "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"c\""
            + " batch_norm_param { eps: 0.001 } }\n"
            + "layer { name: \"sc\" type: \"Scale\" bottom: \"c\" top: \"c\" scale_param { bias_term: true } }\n";

    private static Net loadBack(BatchNormFolder.Result r) {
        return NetLoader.build(r.definition(), r.weights());
    }

    private static List<String> names(Net net) {
        return net.layers().stream().map(Layer::name).toList();
    }

    private static void assertValues(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), "value " + i);
        }
    }

    @Test
    void inPlaceConvBatchNormScaleFoldsIntoTheConvolution() {
        Net net = NetLoader.build(TestWeights.definition(CONV_BN_SCALE
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"c\" top: \"c\" }\n"), BN_SCALE.build());
        BatchNormFolder.Result r = BatchNormFolder.fold(net);
        assertEquals(Map.of("conv", List.of("bn", "sc")), r.folded());
        Net folded = loadBack(r);
        assertEquals(List.of("data", "conv", "relu"), names(folded));
        Layer conv = folded.layer("conv");
        assertEquals(List.of("c"), conv.tops());
        assertTrue(conv.param().getConvolutionParam().getBiasTerm());
        double s0 = 2 / Math.sqrt(4 + 0.001);
        double s1 = -0.5 / Math.sqrt(0.015 + 0.001);
        assertValues(new double[] {0.5 * s0, -0.25 * s0, 1 * s1, 2 * s1}, conv.weights().get(0).data());
        assertValues(new double[] {s0 * (0.1 - 0.75) + 0.25, s1 * (-1 + 0.15) + 3}, conv.weights().get(1).data());
    }

    @Test
    void aConvolutionWithoutBiasGetsOneAndABatchNormAloneFolds() {
        Net net = NetLoader.build(TestWeights.definition(INPUT
                + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\""
                + " convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }\n"
                + "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"c\" }\n"),
                NetParameter.newBuilder()
                        .addLayer(layer("conv", blob(new int[] {2, 2, 1, 1}, 0.5f, -0.25f, 1f, 2f)))
                        .addLayer(BN_SCALE.getLayer(1)).build());
        BatchNormFolder.Result r = BatchNormFolder.fold(net);
        Layer conv = loadBack(r).layer("conv");
        assertTrue(conv.param().getConvolutionParam().getBiasTerm());
        double s0 = 1 / Math.sqrt(4 + 1e-5); // the default eps
        double s1 = 1 / Math.sqrt(0.015 + 1e-5);
        assertValues(new double[] {0.5 * s0, -0.25 * s0, 1 * s1, 2 * s1}, conv.weights().get(0).data());
        assertValues(new double[] {-0.75 * s0, 0.15 * s1}, conv.weights().get(1).data());
    }

    @Test
    void aScaleAloneFoldsWithItsGammaAndBeta() {
        Net net = NetLoader.build(TestWeights.definition(INPUT
                + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\""
                + " convolution_param { num_output: 2 kernel_size: 1 } }\n"
                + "layer { name: \"sc\" type: \"Scale\" bottom: \"c\" top: \"c\" scale_param { bias_term: true } }\n"),
                CONV.clone().addLayer(BN_SCALE.getLayer(2)).build());
        Layer conv = loadBack(BatchNormFolder.fold(net)).layer("conv");
        assertValues(new double[] {1, -0.5, -0.5, -1}, conv.weights().get(0).data());
        assertValues(new double[] {2 * 0.1 + 0.25, -0.5 * -1 + 3}, conv.weights().get(1).data());
    }

    /**
     * A second Scale after BatchNorm and Scale folds too: left behind the folded convolution it made a chain the
     * runtime fuses, whose output fast finetune took for the convolution's (it chose the output format for the
     * values before the Scale).
     */
    @Test
    void aSecondScaleAfterBatchNormAndScaleFoldsToo() {
        Net net = NetLoader.build(TestWeights.definition(CONV_BN_SCALE
                + "layer { name: \"sc2\" type: \"Scale\" bottom: \"c\" top: \"c\" scale_param { bias_term: true } }\n"
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"c\" top: \"c\" }\n"),
                BN_SCALE.clone().addLayer(layer("sc2", blob(new int[] {2}, 3f, 0.5f), blob(new int[] {2}, -1f, 2f)))
                        .build());
        BatchNormFolder.Result r = BatchNormFolder.fold(net);
        assertEquals(Map.of("conv", List.of("bn", "sc", "sc2")), r.folded());
        Net folded = loadBack(r);
        assertEquals(List.of("data", "conv", "relu"), names(folded));
        // y = 3 * (S * (w x + b - mean) + beta) - 1 on channel 0, 0.5 * (...) + 2 on channel 1
        double s0 = 2 / Math.sqrt(4 + 0.001);
        double s1 = -0.5 / Math.sqrt(0.015 + 0.001);
        Layer conv = folded.layer("conv");
        assertValues(new double[] {3 * 0.5 * s0, 3 * -0.25 * s0, 0.5 * 1 * s1, 0.5 * 2 * s1},
                conv.weights().get(0).data());
        assertValues(new double[] {3 * (s0 * (0.1 - 0.75) + 0.25) - 1, 0.5 * (s1 * (-1 + 0.15) + 3) + 2},
                conv.weights().get(1).data());
    }

    /** Not in place: the convolution takes over the chain's last blob; readers of it stay wired. */
    @Test
    void aChainOfNewBlobsIsRewiredToTheLastOne() {
        Net net = NetLoader.build(TestWeights.definition(INPUT
                + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\""
                + " convolution_param { num_output: 2 kernel_size: 1 } }\n"
                + "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"b\" }\n"
                + "layer { name: \"sc\" type: \"Scale\" bottom: \"b\" top: \"s\" scale_param { bias_term: true } }\n"
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"s\" top: \"s\" }\n"
                + "layer { name: \"pool\" type: \"Pooling\" bottom: \"s\" top: \"p\""
                + " pooling_param { kernel_size: 3 } }\n"),
                BN_SCALE.build());
        BatchNormFolder.Result r = BatchNormFolder.fold(net);
        Net folded = loadBack(r);
        assertEquals(List.of("data", "conv", "relu", "pool"), names(folded));
        assertEquals(List.of("s"), folded.layer("conv").tops());
        assertArrayEquals(net.shape("p"), folded.shape("p"));
        assertFalse(folded.blobShapes().containsKey("c"));
    }

    @Test
    void chainsOtherLayersReadAreLeftAlone() {
        String definition = INPUT
                + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\""
                + " convolution_param { num_output: 2 kernel_size: 1 } }\n"
                + "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"b\" }\n"
                + "layer { name: \"pool\" type: \"Pooling\" bottom: \"c\" top: \"p\""
                + " pooling_param { kernel_size: 3 } }\n"
                // a ReLU on the convolution's output before the Scale: the Scale may not fold either
                + "layer { name: \"conv2\" type: \"Convolution\" bottom: \"data\" top: \"d\""
                + " convolution_param { num_output: 2 kernel_size: 1 } }\n"
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"d\" top: \"d\" }\n"
                + "layer { name: \"sc\" type: \"Scale\" bottom: \"d\" top: \"d\" }\n";
        NetParameter weights = TestWeights.random(TestWeights.definition(definition), 2);
        Net net = NetLoader.build(TestWeights.definition(definition), weights);
        BatchNormFolder.Result r = BatchNormFolder.fold(net);
        assertEquals(Map.of(), r.folded());
        assertEquals(names(net), names(loadBack(r)));
        assertEquals(net.definition(), r.definition());
    }

    @Test
    void resnet20FoldsAllItsBatchNormsAndWritesALoadableModel(@TempDir Path dir) throws Exception {
        SharedData.Model model = SharedData.Model.RESNET20;
        Path prototxt = model.prototxt();
        Path caffemodel = model.caffemodel();
        Net net = NetLoader.load(prototxt, caffemodel);
        BatchNormFolder.Result r = BatchNormFolder.fold(net);
        assertEquals(21, r.folded().size());

        Path outPrototxt = dir.resolve("folded.prototxt");
        Path outModel = dir.resolve("folded.caffemodel");
        OutputFile.writeString(outPrototxt, PrototxtWriter.print(r.definition()), List.of(prototxt, caffemodel));
        OutputFile.write(outModel, r.weights().toByteArray(), List.of(prototxt, caffemodel));
        Net folded = NetLoader.load(outPrototxt, outModel);

        assertEquals(net.layers().size() - 42, folded.layers().size());
        assertTrue(folded.layers().stream().noneMatch(l -> l.type().equals("BatchNorm") || l.type().equals("Scale")));
        for (Map.Entry<String, int[]> e : folded.blobShapes().entrySet()) {
            assertArrayEquals(net.shape(e.getKey()), e.getValue(), e.getKey());
        }
        // Convolution7 by hand, in double: w * gamma / sqrt(var / s + 1e-5), S * (b - mean / s) + beta.
        Layer conv = net.layer("Convolution7");
        Layer bn = net.layer("BatchNorm7");
        Layer scale = net.layer("Scale7");
        float[] w = conv.weights().get(0).data();
        int channels = conv.weights().get(0).shape()[0];
        int per = w.length / channels;
        double factor = bn.weights().get(2).data()[0];
        double[] expectedW = new double[w.length];
        double[] expectedB = new double[channels];
        for (int c = 0; c < channels; c++) {
            double s = scale.weights().get(0).data()[c] / Math.sqrt(bn.weights().get(1).data()[c] / factor + 1e-5);
            for (int k = 0; k < per; k++) {
                expectedW[c * per + k] = w[c * per + k] * s;
            }
            expectedB[c] = s * (conv.weights().get(1).data()[c] - bn.weights().get(0).data()[c] / factor)
                    + scale.weights().get(1).data()[c];
        }
        assertValues(expectedW, folded.layer("Convolution7").weights().get(0).data());
        assertValues(expectedB, folded.layer("Convolution7").weights().get(1).data());

        // The folded net's weight thresholds are the fused ones the unfolded net reports.
        XilinxThresholds before = XilinxThresholds.compute(net, unitStatistics(net), ThresholdMethod.parse("max"), 8);
        XilinxThresholds after =
                XilinxThresholds.compute(folded, unitStatistics(folded), ThresholdMethod.parse("max"), 8);
        for (Layer l : folded.layers()) {
            assertArrayEquals(before.of(l.name()).params(), after.of(l.name()).params(), l.name());
        }
    }

    private static Map<String, BlobHistograms> unitStatistics(Net net) {
        Map<String, BlobHistograms> stats = new HashMap<>();
        net.layers().forEach(l -> stats.put(l.name(), TestStatistics.of(1, -0.5f)));
        return stats;
    }
}
