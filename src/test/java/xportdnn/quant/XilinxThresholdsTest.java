package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.XilinxThresholds.LayerThresholds;
import xportdnn.quant.XilinxThresholds.Rule;

/**
 * The propagation rules on small nets with the "max" method, so each layer's own threshold is the largest |x| of
 * the values the test gives it and every expected threshold is worked out by hand from the rules.
 */
class XilinxThresholdsTest {

    private static final ThresholdMethod MAX = ThresholdMethod.parse("max");

    /** Statistics whose max |x| is the given value for each named layer (a few values below it, one negative). */
    private static Map<String, BlobHistograms> maxima(Object... nameAndMax) {
        Map<String, BlobHistograms> stats = new HashMap<>();
        for (int i = 0; i < nameAndMax.length; i += 2) {
            float m = ((Number) nameAndMax[i + 1]).floatValue();
            stats.put((String) nameAndMax[i], TestStatistics.of(0, m / 4, -m, m / 2));
        }
        return stats;
    }

    private static Net net(String prototxt) {
        NetParameter definition = TestWeights.definition(prototxt);
        return NetLoader.build(definition, TestWeights.random(definition, 3));
    }

    private static void assertInOut(XilinxThresholds t, String layer, double in, double out) {
        LayerThresholds l = t.of(layer);
        assertEquals(in, l.in(), 1e-6, layer + " th_layer_in");
        assertEquals(out, l.out(), 1e-6, layer + " th_layer_out");
    }

    private static final String INPUT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
            """;

    private static String conv(String name, String bottom, String top) {
        return "layer { name: \"" + name + "\" type: \"Convolution\" bottom: \"" + bottom + "\" top: \"" + top
                + "\" convolution_param { num_output: 2 kernel_size: 1 } }\n";
    }

    private static String inPlace(String name, String type, String blob) {
        return "layer { name: \"" + name + "\" type: \"" + type + "\" bottom: \"" + blob + "\" top: \"" + blob
                + "\" }\n";
    }

    @Test
    void inPlaceChainCarriesTheLastOwnThresholdAndPoolingPassesItOn() {
        Net net = net(INPUT + conv("conv1", "data", "c1") + inPlace("bn1", "BatchNorm", "c1")
                + inPlace("sc1", "Scale", "c1") + inPlace("relu1", "ReLU", "c1")
                + "layer { name: \"pool1\" type: \"Pooling\" bottom: \"c1\" top: \"p1\""
                + " pooling_param { pool: AVE kernel_size: 2 stride: 2 } }\n"
                + conv("conv2", "p1", "c2"));
        XilinxThresholds t = XilinxThresholds.compute(net,
                maxima("data", 10, "conv1", 7, "bn1", 5, "sc1", 9, "relu1", 4, "conv2", 3), MAX, 8);
        assertInOut(t, "data", 10, 10);
        assertInOut(t, "conv1", 10, 4); // the post-ReLU threshold replaces the convolution's 7
        assertInOut(t, "bn1", 4, 4);
        assertInOut(t, "sc1", 4, 4);
        assertInOut(t, "relu1", 4, 4);
        assertInOut(t, "pool1", 4, 4);
        assertInOut(t, "conv2", 4, 3);
        assertEquals(7, t.of("conv1").own().getAsDouble(), 1e-6);
        assertEquals(Rule.OWN_OUTPUT, t.of("conv1").rule());
        assertEquals(Rule.PASS_THROUGH, t.of("pool1").rule());
        assertTrue(t.of("pool1").own().isEmpty());
        assertEquals(List.of("bn1", "sc1"), t.of("conv1").fusedWith());
        assertEquals(List.of(), t.of("conv2").fusedWith());
        assertEquals("max", t.method());
    }

    /**
     * cifar10_quick's order, convolution -> max pooling -> ReLU in place on the pooling's output: the device pools
     * the convolution's codes unchanged, so the ReLU's threshold goes back to the convolution's output, and the
     * pooling reads and writes in it.
     */
    @Test
    void aReluAfterAPoolingSetsTheThresholdTheConvolutionWrites() {
        Net net = net(INPUT + conv("conv1", "data", "c1")
                + "layer { name: \"pool1\" type: \"Pooling\" bottom: \"c1\" top: \"p1\""
                + " pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
                + inPlace("relu1", "ReLU", "p1") + conv("conv2", "p1", "c2"));
        XilinxThresholds t = XilinxThresholds.compute(net,
                maxima("data", 10, "conv1", 8, "relu1", 5, "conv2", 3), MAX, 8);
        assertInOut(t, "conv1", 10, 5);
        assertInOut(t, "pool1", 5, 5);
        assertInOut(t, "relu1", 5, 5);
        assertInOut(t, "conv2", 5, 3);
    }

    /**
     * BatchNorm and Scale in place after a pooling are not fused into a convolution: they compute from the pooled
     * codes, so their outputs get thresholds of their own, and the convolution before the pooling keeps its own.
     * (Shared, the Scale's 2 went back through the pooling to relu1: its codes clipped to 2 instead of 9.)
     */
    @Test
    void aBatchNormAfterAPoolingWritesAThresholdOfItsOwn() {
        Net net = net(INPUT + conv("conv1", "data", "c1") + inPlace("relu1", "ReLU", "c1")
                + "layer { name: \"pool1\" type: \"Pooling\" bottom: \"c1\" top: \"p1\""
                + " pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
                + inPlace("bn1", "BatchNorm", "p1") + inPlace("sc1", "Scale", "p1") + conv("conv2", "p1", "c2"));
        XilinxThresholds t = XilinxThresholds.compute(net,
                maxima("data", 10, "conv1", 12, "relu1", 9, "bn1", 3, "sc1", 2, "conv2", 5), MAX, 8);
        assertInOut(t, "conv1", 10, 9);
        assertInOut(t, "pool1", 9, 9);
        assertInOut(t, "bn1", 9, 3);
        assertInOut(t, "sc1", 3, 2);
        assertInOut(t, "conv2", 2, 5);
        assertEquals(List.of(), t.of("conv1").fusedWith());
    }

    /**
     * A Concat or Eltwise whose inputs' own thresholds are more than 8 apart is warned about once, naming the small
     * input and the codes it keeps on the shared scale (127 / 40 = 3 at 8 bits, 31 / 40 = 1 at 6); inputs 4 apart
     * are not.
     */
    @Test
    void inputsOnFarApartScalesAreWarnedAbout() {
        String prototxt = INPUT + conv("convA", "data", "a") + conv("convB", "data", "b")
                + conv("convC", "data", "c") + conv("convD", "data", "d")
                + "layer { name: \"cat\" type: \"Concat\" bottom: \"a\" bottom: \"b\" top: \"k\" }\n"
                + "layer { name: \"e\" type: \"Eltwise\" bottom: \"c\" bottom: \"d\" top: \"p\""
                + " eltwise_param { operation: PROD } }\n";
        Net net = net(prototxt);
        XilinxThresholds apart = XilinxThresholds.compute(net, maxima("data", 1, "convA", 1, "convB", 40, "convC",
                1, "convD", 40, "cat", 40, "e", 40), MAX, 8);
        assertEquals(2, apart.unevenInputs().size(), apart.unevenInputs().toString());
        assertTrue(apart.unevenInputs().get(0).startsWith("layer 'cat' (Concat): CHaiDNN reads all its inputs on one "
                + "scale, the largest input's, and input 'a' spans only 1/40 of it, so its values keep about 3 of 127 "
                + "codes;"), apart.unevenInputs().get(0));
        assertTrue(apart.unevenInputs().get(1).startsWith("layer 'e' (Eltwise PROD)")
                && apart.unevenInputs().get(1).contains("the product carries"), apart.unevenInputs().get(1));
        assertTrue(XilinxThresholds.compute(net, maxima("data", 1, "convA", 1, "convB", 40, "convC", 1, "convD", 40,
                "cat", 40, "e", 40), MAX, 6).unevenInputs().get(0).contains("keep about 1 of 31 codes"));
        assertEquals(List.of(), XilinxThresholds.compute(net, maxima("data", 1, "convA", 10, "convB", 40, "convC",
                10, "convD", 40, "cat", 40, "e", 40), MAX, 8).unevenInputs());
    }

    /** With an average-pooling range (DynamicFixed), an AVE pooling has an output range of its own. */
    @Test
    void averagePoolingRangeReplacesPassThrough() {
        Net net = net(INPUT + conv("conv1", "data", "c1") + inPlace("relu1", "ReLU", "c1")
                + "layer { name: \"pool1\" type: \"Pooling\" bottom: \"c1\" top: \"p1\""
                + " pooling_param { pool: AVE global_pooling: true } }\n" + conv("conv2", "p1", "c2"));
        Map<String, BlobHistograms> stats = maxima("data", 10, "conv1", 8, "relu1", 6, "pool1", 2, "conv2", 3);
        XilinxThresholds t = XilinxThresholds.compute(net, stats, MAX, 8,
                (output, input) -> output.range().maxAbs() + input / 100);
        assertInOut(t, "conv1", 10, 6);
        assertInOut(t, "pool1", 6, 2.06);
        assertInOut(t, "conv2", 2.06, 3);
        assertEquals(Rule.AVERAGE_POOLING, t.of("pool1").rule());
        assertInOut(XilinxThresholds.compute(net, stats, MAX, 8), "pool1", 6, 6);
    }

    @Test
    void passThroughLayersKeepTheirInputThreshold() {
        Net net = net(INPUT + conv("conv", "data", "c")
                + "layer { name: \"split\" type: \"Split\" bottom: \"c\" top: \"s1\" top: \"s2\" }\n"
                + inPlace("drop", "Dropout", "s1")
                + "layer { name: \"flat\" type: \"Flatten\" bottom: \"s1\" top: \"f\" }\n"
                + "layer { name: \"perm\" type: \"Permute\" bottom: \"s2\" top: \"pm\""
                + " permute_param { order: 0 order: 2 order: 3 order: 1 } }\n"
                + "layer { name: \"lrn\" type: \"LRN\" bottom: \"s2\" top: \"l\" }\n"
                + "layer { name: \"resh\" type: \"Reshape\" bottom: \"l\" top: \"r\""
                + " reshape_param { shape { dim: 0 dim: -1 } } }\n"
                + "layer { name: \"sig\" type: \"Sigmoid\" bottom: \"r\" top: \"sg\" }\n");
        XilinxThresholds t = XilinxThresholds.compute(net, maxima("data", 1, "conv", 6, "sig", 0.9), MAX, 6);
        for (String name : List.of("split", "drop", "flat", "perm", "lrn", "resh")) {
            assertInOut(t, name, 6, 6);
            assertEquals(Rule.PASS_THROUGH, t.of(name).rule(), name);
        }
        assertInOut(t, "sig", 6, 0.9); // an unsupported computing layer still gets its own output threshold
    }

    /**
     * An Eltwise writes the largest input threshold back to its inputs; its output gets its own (add2's 9), or the
     * ReLU's after it (reluY's 4, then raised by add2 to 6), and so on down.
     */
    @Test
    void residualBlocksShareOneThresholdPerSum() {
        Net net = net(INPUT + conv("conv0", "data", "x") + inPlace("relu0", "ReLU", "x")
                + conv("convA", "x", "a") + inPlace("reluA", "ReLU", "a")
                + "layer { name: \"add1\" type: \"Eltwise\" bottom: \"x\" bottom: \"a\" top: \"y\" }\n"
                + inPlace("reluY", "ReLU", "y")
                + conv("convB", "y", "b") + inPlace("reluB", "ReLU", "b")
                + "layer { name: \"add2\" type: \"Eltwise\" bottom: \"y\" bottom: \"b\" top: \"z\" }\n");
        XilinxThresholds t = XilinxThresholds.compute(net, maxima("data", 1, "conv0", 5, "relu0", 3, "convA", 9,
                "reluA", 2, "add1", 5, "reluY", 4, "convB", 1, "reluB", 6, "add2", 9), MAX, 8);
        // add1: max(3, 2) = 3 into x and a; reluY sets y = 4; add2: max(4, 6) = 6 into y and b, z its own 9.
        assertInOut(t, "conv0", 1, 3);
        assertInOut(t, "relu0", 3, 3);
        assertInOut(t, "convA", 3, 3);
        assertInOut(t, "reluA", 3, 3);
        assertInOut(t, "add1", 3, 6);
        assertInOut(t, "reluY", 6, 6);
        assertInOut(t, "convB", 6, 6);
        assertInOut(t, "reluB", 6, 6);
        assertInOut(t, "add2", 6, 9);
        assertEquals(Rule.OWN_OUTPUT, t.of("add1").rule());
        assertEquals(5, t.of("add1").own().getAsDouble(), 1e-6);
        assertEquals(4, t.of("reluY").own().getAsDouble(), 1e-6);
    }

    /**
     * A plain sum can exceed both inputs' ranges (3 + 5 up to 8): it is written in its own threshold, 7 here, not the
     * inputs' shared 5, which clipped every sum above 5. A max cannot exceed them: it keeps their shared 5 whatever
     * its statistics say (none needed).
     */
    @Test
    void aPlainSumGetsItsOwnOutputThresholdAndAMaxItsInputs() {
        for (String op : List.of("SUM", "MAX")) {
            Net net = net(INPUT + conv("convA", "data", "a") + conv("convB", "data", "b")
                    + "layer { name: \"e\" type: \"Eltwise\" bottom: \"a\" bottom: \"b\" top: \"p\" eltwise_param { "
                    + "operation: " + op + " } }\n" + conv("convC", "p", "c"));
            Map<String, BlobHistograms> stats = maxima("data", 1, "convA", 3, "convB", 5, "convC", 2);
            if (op.equals("SUM")) {
                stats.putAll(maxima("e", 7));
            }
            XilinxThresholds t = XilinxThresholds.compute(net, stats, MAX, 8);
            double out = op.equals("SUM") ? 7 : 5;
            assertInOut(t, "convA", 1, 5);
            assertInOut(t, "convB", 1, 5);
            assertInOut(t, "e", 5, out);
            assertInOut(t, "convC", out, 2);
            assertEquals(op.equals("SUM") ? Rule.OWN_OUTPUT : Rule.ELTWISE_MAX, t.of("e").rule(), op);
        }
    }

    /**
     * A product's values are not bounded by its inputs' thresholds (3 x 5 here), nor a weighted sum's (2a + b): both
     * get the threshold of their own output, while their inputs still share one. Before, both took the inputs'
     * largest (5), clipping every product above it.
     */
    @Test
    void aProductOrWeightedSumGetsItsOwnOutputThreshold() {
        for (String param : List.of("operation: PROD", "operation: SUM coeff: 2 coeff: 1")) {
            Net net = net(INPUT + conv("convA", "data", "a") + conv("convB", "data", "b")
                    + "layer { name: \"e\" type: \"Eltwise\" bottom: \"a\" bottom: \"b\" top: \"p\" eltwise_param { "
                    + param + " } }\n" + conv("convC", "p", "c"));
            XilinxThresholds t = XilinxThresholds.compute(net,
                    maxima("data", 1, "convA", 3, "convB", 5, "e", 11, "convC", 7), MAX, 8);
            assertInOut(t, "convA", 1, 5);
            assertInOut(t, "convB", 1, 5);
            assertInOut(t, "e", 5, 11);
            assertInOut(t, "convC", 11, 7);
            assertEquals(Rule.OWN_OUTPUT, t.of("e").rule(), param);
        }
    }

    /**
     * For a scheme only the simulator runs ({@link XilinxThresholds#simulated}: compare's naive and aciq) a product's
     * or weighted sum's inputs keep their own thresholds: a keeps 3 (the simulator computes it in float from each
     * input's values); a plain sum's inputs still share their largest, as the device adds codes of one scale, so b
     * (2), which the plain sum s also reads, rises to s's other input's 7, while a keeps 3 (shared, it would rise to 7).
     */
    @Test
    void simulatedSchemesLeaveAProductsInputsTheirOwnThresholds() {
        for (String param : List.of("operation: PROD", "operation: SUM coeff: 2 coeff: 1")) {
            Net net = net(INPUT + conv("convA", "data", "a") + conv("convB", "data", "b")
                    + "layer { name: \"e\" type: \"Eltwise\" bottom: \"a\" bottom: \"b\" top: \"p\" eltwise_param { "
                    + param + " } }\n" + conv("convC", "p", "c")
                    + "layer { name: \"s\" type: \"Eltwise\" bottom: \"c\" bottom: \"b\" top: \"q\" }\n");
            XilinxThresholds t = XilinxThresholds.simulated(net,
                    maxima("data", 1, "convA", 3, "convB", 2, "e", 11, "convC", 7, "s", 8), MAX, 8);
            assertInOut(t, "convA", 1, 3);
            assertInOut(t, "e", 3, 11);
            assertInOut(t, "convC", 11, 7);
            // the plain sum s of c (7) and b (2): both 7, its output its own 8
            assertInOut(t, "convB", 1, 7);
            assertInOut(t, "s", 7, 8);
        }
    }

    /** A blob read by two Eltwise layers: the second one's write-back must reach the first one's other input. */
    @Test
    void aBlobReadByTwoEltwiseLayersSettlesAllInputsToTheMax() {
        Net net = net(INPUT + conv("convA", "data", "a") + conv("convB", "data", "b") + conv("convC", "data", "c")
                + "layer { name: \"add1\" type: \"Eltwise\" bottom: \"a\" bottom: \"b\" top: \"s1\" }\n"
                + "layer { name: \"add2\" type: \"Eltwise\" bottom: \"a\" bottom: \"c\" top: \"s2\" }\n");
        XilinxThresholds t = XilinxThresholds.compute(net,
                maxima("data", 1, "convA", 1, "convB", 2, "convC", 5, "add1", 3, "add2", 6), MAX, 8);
        // Walk: add1 sets a = b = 2, s1 its own 3; add2 sets a = c = 5, s2 its own 6. The fix-up raises b to 5.
        assertInOut(t, "convA", 1, 5);
        assertInOut(t, "convB", 1, 5);
        assertInOut(t, "convC", 1, 5);
        assertInOut(t, "add1", 5, 3);
        assertInOut(t, "add2", 5, 6);
    }

    @Test
    void concatInputsShareTheConcatThreshold() {
        Net net = net(INPUT + conv("convA", "data", "a") + inPlace("reluA", "ReLU", "a")
                + conv("convB", "data", "b")
                + "layer { name: \"cat\" type: \"Concat\" bottom: \"a\" bottom: \"b\" top: \"k\" }\n"
                + conv("convK", "k", "k2"));
        XilinxThresholds t = XilinxThresholds.compute(net,
                maxima("data", 1, "convA", 20, "reluA", 12, "convB", 3, "cat", 8, "convK", 2), MAX, 8);
        // Lower (12) and higher (3) inputs alike take the concat's own 8.
        assertInOut(t, "convA", 1, 8);
        assertInOut(t, "reluA", 8, 8);
        assertInOut(t, "convB", 1, 8);
        assertInOut(t, "cat", 8, 8);
        assertInOut(t, "convK", 8, 2);
    }

    @Test
    void aConcatInputAlsoSummedByAnEltwiseRaisesTheWholeConcat() {
        Net net = net(INPUT + conv("convA", "data", "a") + conv("convB", "data", "b") + conv("convC", "data", "c")
                + "layer { name: \"cat\" type: \"Concat\" bottom: \"a\" bottom: \"b\" top: \"k\" }\n"
                + "layer { name: \"add\" type: \"Eltwise\" bottom: \"b\" bottom: \"c\" top: \"e\" }\n");
        XilinxThresholds t = XilinxThresholds.compute(net,
                maxima("data", 1, "convA", 1, "convB", 1, "convC", 9, "cat", 4, "add", 10), MAX, 8);
        // Walk: cat sets a = b = k = 4; add sets b = c = 9, e its own 10. Fix-up: the concat's inputs and output
        // rise to 9.
        for (String name : List.of("convA", "convB", "convC")) {
            assertInOut(t, name, 1, 9);
        }
        assertInOut(t, "cat", 9, 9);
        assertInOut(t, "add", 9, 10);
    }

    @Test
    void anAllZeroOutputGivesZeroNotNaN() {
        Net net = net(INPUT + conv("conv", "data", "c") + inPlace("relu", "ReLU", "c") + conv("next", "c", "n"));
        Map<String, BlobHistograms> stats = maxima("data", 2, "conv", 3, "next", 1);
        stats.put("relu", TestStatistics.of(new float[64]));
        for (String method : ThresholdMethod.NAMES) {
            String m = method.equals("percentile:P") ? "percentile:99.9" : method;
            XilinxThresholds t = XilinxThresholds.compute(net, stats, ThresholdMethod.parse(m), 8);
            assertInOut(t, "relu", 0, 0);
            assertInOut(t, "next", 0, t.of("next").out());
            assertFalse(Double.isNaN(t.of("next").out()), m);
        }
    }

    @Test
    void aComputingLayerWithoutStatisticsIsRefused() {
        Net net = net(INPUT + conv("conv", "data", "c") + inPlace("relu", "ReLU", "c"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> XilinxThresholds.compute(net, maxima("data", 1, "conv", 2), MAX, 8));
        assertEquals("no calibration statistics for layer 'relu'", e.getMessage());
    }

    @Test
    void convolutionWeightThresholdsUseTheFusedBatchNormAndScale() {
        NetParameter definition = TestWeights.definition(INPUT + conv("conv", "data", "c")
                + "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"c\""
                + " batch_norm_param { eps: 0.001 } }\n"
                + inPlace("sc", "Scale", "c") + inPlace("relu", "ReLU", "c"));
        // conv weights [[0.5, -0.25], [1, 2]]; stored variance [8, 0.03] / factor 2 = [4, 0.015]; gamma [2, -0.5]
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 2, 1, 1}, 0.5f, -0.25f, 1f, 2f), blob(new int[] {2}, 0, 1)))
                .addLayer(layer("bn", blob(new int[] {2}, 1.5f, -0.3f), blob(new int[] {2}, 8f, 0.03f),
                        blob(new int[] {1}, 2f)))
                .addLayer(layer("sc", blob(new int[] {2}, 2f, -0.5f)))
                .build();
        Net net = NetLoader.build(definition, weights);
        XilinxThresholds t = XilinxThresholds.compute(net, everyLayer(net, 1), MAX, 8);
        float[] th = t.of("conv").params();
        assertEquals(2, th.length);
        assertEquals(0.5 * 2 / Math.sqrt(4.001), th[0], 1e-6);
        assertEquals(2 * 0.5 / Math.sqrt(0.016), th[1], 1e-5);
        assertEquals(List.of("bn", "sc"), t.of("conv").fusedWith());
    }

    private static Map<String, BlobHistograms> everyLayer(Net net, float max) {
        Map<String, BlobHistograms> stats = new HashMap<>();
        net.layers().forEach(l -> stats.put(l.name(), TestStatistics.of(max, -max / 2)));
        return stats;
    }

    @Test
    void convolutionWithoutBatchNormTakesMaxAbsPerOutputChannel() {
        NetParameter definition = TestWeights.definition(INPUT + conv("conv", "data", "c"));
        NetParameter weights = NetParameter.newBuilder().addLayer(layer("conv",
                blob(new int[] {2, 2, 1, 1}, 0.5f, -0.75f, -3f, 2f), blob(new int[] {2}, 100, -100))).build();
        Net net = NetLoader.build(definition, weights);
        assertArrayEquals(new float[] {0.75f, 3f},
                XilinxThresholds.compute(net, everyLayer(net, 1), MAX, 8).of("conv").params());
    }

    /** Deconvolution weights are (in, out/group, kh, kw): the output channel is axis 1 within each group. */
    @Test
    void deconvolutionOutputChannelsAreAxisOneWithinEachGroup() {
        NetParameter definition = TestWeights.definition(INPUT
                + "layer { name: \"up\" type: \"Deconvolution\" bottom: \"data\" top: \"u\""
                + " convolution_param { num_output: 3 kernel_size: 1 bias_term: false } }\n"
                + "layer { name: \"upg\" type: \"Deconvolution\" bottom: \"data\" top: \"ug\""
                + " convolution_param { num_output: 4 kernel_size: 2 group: 2 bias_term: false } }\n");
        float[] grouped = new float[2 * 2 * 4];
        // input 0 (group 0) -> outputs 0, 1; input 1 (group 1) -> outputs 2, 3; 4 kernel taps each
        float[][] taps = {{1, -0.5f, 0, 0.25f}, {0, 0, -2, 1}, {3, 0, 0, 0}, {0.1f, -0.5f, 0.2f, 0}};
        for (int k = 0; k < 4; k++) {
            System.arraycopy(taps[k], 0, grouped, k * 4, 4);
        }
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("up", blob(new int[] {2, 3, 1, 1}, 1, -5, 2, 4, 0.5f, -3)))
                .addLayer(layer("upg", blob(new int[] {2, 2, 2, 2}, grouped)))
                .build();
        Net net = NetLoader.build(definition, weights);
        XilinxThresholds t = XilinxThresholds.compute(net, everyLayer(net, 1), MAX, 8);
        assertArrayEquals(new float[] {4, 5, 3}, t.of("up").params());
        assertArrayEquals(new float[] {1, 2, 3, 0.5f}, t.of("upg").params());
    }

    @Test
    void innerProductAndNormalizeThresholds() {
        NetParameter definition = TestWeights.definition(INPUT
                + "layer { name: \"norm\" type: \"Normalize\" bottom: \"data\" top: \"n\""
                + " norm_param { channel_shared: false } }\n"
                + "layer { name: \"norm1\" type: \"Normalize\" bottom: \"data\" top: \"n1\" }\n"
                + "layer { name: \"ip\" type: \"InnerProduct\" bottom: \"data\" top: \"i\""
                + " inner_product_param { num_output: 2 bias_term: false } }\n"
                + "layer { name: \"ipt\" type: \"InnerProduct\" bottom: \"data\" top: \"it\""
                + " inner_product_param { num_output: 2 bias_term: false transpose: true } }\n");
        float[] ip = new float[2 * 32];
        ip[5] = -7;
        ip[32 + 31] = 0.5f;
        float[] ipt = new float[32 * 2];
        ipt[2 * 4] = 6;      // row 4, output 0
        ipt[2 * 9 + 1] = -2; // row 9, output 1
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("norm", blob(new int[] {2}, 2, -3)))
                .addLayer(layer("norm1", blob(new int[] {}, -8)))
                .addLayer(layer("ip", blob(new int[] {2, 32}, ip)))
                .addLayer(layer("ipt", blob(new int[] {32, 2}, ipt)))
                .build();
        Net net = NetLoader.build(definition, weights);
        XilinxThresholds t = XilinxThresholds.compute(net, everyLayer(net, 1), MAX, 8);
        assertArrayEquals(new float[] {2, 3}, t.of("norm").params());
        assertArrayEquals(new float[] {8}, t.of("norm1").params());
        assertArrayEquals(new float[] {7, 0.5f}, t.of("ip").params());
        assertArrayEquals(new float[] {6, 2}, t.of("ipt").params());
        assertArrayEquals(new float[0], t.of("data").params());
    }

    @Test
    void missingOrNonFiniteWeightsAreReportedByLayer() {
        NetParameter definition = TestWeights.definition(INPUT + conv("conv", "data", "c"));
        Net bare = NetLoader.build(definition, null);
        assertEquals("layer 'conv': the Convolution has no learned weights (the Xilinx mode needs the caffemodel)",
                assertThrows(xportdnn.model.ModelException.class,
                        () -> XilinxThresholds.compute(bare, everyLayer(bare, 1), MAX, 8)).getMessage());
        NetParameter weights = NetParameter.newBuilder().addLayer(layer("conv",
                blob(new int[] {2, 2, 1, 1}, 1, Float.NaN, 1, 1), blob(new int[] {2}, 0, 0))).build();
        // non-finite weights are refused where they are loaded, before any threshold is computed
        assertEquals("layer 'conv': parameter blob 0 holds NaN at index 1 (of 2x2x1x1); weights must be finite numbers",
                assertThrows(xportdnn.model.ModelException.class,
                        () -> NetLoader.build(definition, weights)).getMessage());
    }

    /**
     * A leaky ReLU or a PReLU in place does not run on the device: the convolution writes its own values (negative
     * ones too) in its own threshold, the activation reads them in it, and what follows reads the activation's.
     */
    @Test
    void anUnfusedInPlaceActivationKeepsItsProducersThreshold() {
        Net net = net(INPUT + conv("conv1", "data", "c1")
                + "layer { name: \"leaky1\" type: \"ReLU\" bottom: \"c1\" top: \"c1\""
                + " relu_param { negative_slope: 0.1 } }\n"
                + conv("conv2", "c1", "c2") + inPlace("prelu2", "PReLU", "c2") + inPlace("relu2", "ReLU", "c2")
                + conv("conv3", "c2", "c3"));
        XilinxThresholds t = XilinxThresholds.compute(net, maxima("data", 10, "conv1", 6, "leaky1", 2,
                "conv2", 5, "prelu2", 3, "relu2", 1, "conv3", 4), MAX, 8);
        assertInOut(t, "conv1", 10, 6);
        assertInOut(t, "leaky1", 6, 2);
        assertInOut(t, "conv2", 2, 5);
        assertInOut(t, "prelu2", 5, 1); // a plain ReLU after it still replaces its threshold
        assertInOut(t, "relu2", 1, 1);
        assertInOut(t, "conv3", 1, 4);
    }

    /** The runtime clips a convolution's bias to +-th_layer_out: the threshold covers it unless that costs more. */
    @Test
    void outputThresholdCoversTheBiasTheRuntimeWouldClip() {
        assertEquals(5, XilinxThresholds.biasAwareThreshold(2, new float[] {-5, 1}, 8), 1e-6);
        assertEquals(2, XilinxThresholds.biasAwareThreshold(2, new float[] {-1.5f, 1}, 8), 1e-6);
        // 2 bits: one level; covering one channel's bias of 3 among 100 costs more than clipping it
        float[] oneOf100 = new float[100];
        oneOf100[0] = 3;
        assertEquals(1, XilinxThresholds.biasAwareThreshold(1, oneOf100, 2), 1e-6);

        String prototxt = INPUT + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\""
                + " convolution_param { num_output: 100 kernel_size: 1 } }\n";
        NetParameter weights = NetParameter.newBuilder().addLayer(layer("conv",
                blob(new int[] {100, 2, 1, 1}, new float[200]), blob(new int[] {100}, oneOf100))).build();
        Net net = NetLoader.build(TestWeights.definition(prototxt), weights);
        XilinxThresholds eight = XilinxThresholds.compute(net, maxima("data", 1, "conv", 1), MAX, 8);
        assertInOut(eight, "conv", 1, 3);
        assertEquals(List.of(), eight.warnings());
        XilinxThresholds two = XilinxThresholds.compute(net, maxima("data", 1, "conv", 1), MAX, 2);
        assertInOut(two, "conv", 1, 1);
        assertEquals(List.of("layer 'conv': its bias (with the BatchNorm/Scale fused into it) spans [0, 3], beyond "
                + "th_layer_out 1: the runtime clips the bias of 1 of 100 channels to +-1, shifting their outputs "
                + "(a threshold covering the bias would cost more resolution)"), two.warnings());
    }
}
