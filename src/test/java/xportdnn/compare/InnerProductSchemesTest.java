package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.calib.ChannelStatistics;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.pipeline.Calibration;
import xportdnn.precision.ThresholdFormat;
import xportdnn.quant.TestStatistics;
import xportdnn.sim.FixedPointNet;

/** InnerProduct layers in compare's literature schemes: written as convolutions and computed on codes. */
class InnerProductSchemesTest {

    /** Two InnerProducts in a row, the first on a 2 x 1 x 2 image, a ReLU between them (LeNet's ip1, relu1, ip2). */
    private static final String TWO_FC = """
            name: "fc"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 1 dim: 2 } } }
            layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1" inner_product_param { num_output: 2 } }
            layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }
            layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2" inner_product_param { num_output: 1 } }
            """;

    /** The image: channel 0 (1, -0.5), channel 1 (0.25, 0.75); flattened as Caffe does, c0w0 c0w1 c1w0 c1w1. */
    private static final float[] IMAGE = {1f, -0.5f, 0.25f, 0.75f};

    private static NetParameter twoFcWeights() {
        return NetParameter.newBuilder()
                .addLayer(layer("ip1", blob(new int[] {2, 4}, 0.5f, 0.25f, -0.9921875f, 0.125f,
                        -0.25f, 0.5f, 0.375f, 0.0234375f), blob(new int[] {2}, 0.5f, -0.25f)))
                .addLayer(layer("ip2", blob(new int[] {1, 2}, 0.9921875f, -0.5f), blob(new int[] {1}, 0.125f)))
                .build();
    }

    private static InnerProductConvolutions twoFc() {
        return InnerProductConvolutions.of(NetLoader.build(TestWeights.definition(TWO_FC), twoFcWeights()));
    }

    /**
     * Both InnerProducts become convolutions: ip1 a 1 x 2 kernel over the 2 x 1 x 2 image, its (2, 4) weights as
     * (2, 2, 1, 2); ip2, reading ip1's output (now 2 x 1 x 1), a 1 x 1 kernel. The float net computes the same
     * values: ip1 = (0.5 - 0.125 - 0.248046875 + 0.09375 + 0.5, ReLU of -0.638671875) = (0.720703125, 0), ip2 =
     * 0.720703125 x 0.9921875 + 0.125 = 0.840073...
     */
    @Test
    void twoInARowBecomeConvolutionsComputingTheSameValues() {
        InnerProductConvolutions fc = twoFc();
        Net net = fc.net();
        assertEquals(List.of("ip1", "ip2"), List.copyOf(fc.rewritten()));
        assertTrue(fc.kept().isEmpty());
        assertEquals(LayerType.CONVOLUTION, net.layer("ip1").layerType());
        assertEquals(1, net.layer("ip1").param().getConvolutionParam().getKernelH());
        assertEquals(2, net.layer("ip1").param().getConvolutionParam().getKernelW());
        assertArrayEquals(new int[] {2, 2, 1, 2}, net.layer("ip1").weights().get(0).shape());
        assertArrayEquals(new int[] {1, 2, 1, 1}, net.shape("ip1"));
        assertArrayEquals(new int[] {1, 1, 1, 1}, net.shape("ip2"));
        float[] out = Tensors.floats(new FloatEngine(net).forward(IMAGE, 1, null).get("ip2"));
        assertEquals(0.720703125 * 0.9921875 + 0.125, out[0], 1e-6);
    }

    /**
     * Three in a row, each read through a ReLU writing a blob of its own (and an in-place Dropout): every one
     * becomes a convolution, each ReLU's output N x C x 1 x 1 too, computing the values of a plain loop over the
     * weights.
     */
    @Test
    void threeInARowThroughReluOutputsOfTheirOwnBecomeConvolutions() {
        String prototxt = """
                name: "fc3"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 1 dim: 2 } } }
                layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1"
                        inner_product_param { num_output: 2 } }
                layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "r1" }
                layer { name: "drop1" type: "Dropout" bottom: "r1" top: "r1" }
                layer { name: "ip2" type: "InnerProduct" bottom: "r1" top: "ip2" inner_product_param { num_output: 2 } }
                layer { name: "relu2" type: "ReLU" bottom: "ip2" top: "r2" }
                layer { name: "ip3" type: "InnerProduct" bottom: "r2" top: "ip3" inner_product_param { num_output: 1 } }
                """;
        float[] w1 = {0.5f, 0.25f, -0.75f, 0.125f, -0.25f, 0.5f, 0.375f, 1f};
        float[] b1 = {0.5f, -0.25f};
        float[] w2 = {1f, -0.5f, 0.25f, 2f};
        float[] b2 = {-0.125f, 0.25f};
        float[] w3 = {0.75f, -1f};
        float[] b3 = {0.0625f};
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("ip1", blob(new int[] {2, 4}, w1), blob(new int[] {2}, b1)))
                .addLayer(layer("ip2", blob(new int[] {2, 2}, w2), blob(new int[] {2}, b2)))
                .addLayer(layer("ip3", blob(new int[] {1, 2}, w3), blob(new int[] {1}, b3)))
                .build();
        InnerProductConvolutions fc = InnerProductConvolutions.of(NetLoader.build(TestWeights.definition(prototxt),
                weights));
        assertEquals(List.of("ip1", "ip2", "ip3"), List.copyOf(fc.rewritten()));
        assertTrue(fc.kept().isEmpty());
        Net net = fc.net();
        assertArrayEquals(new int[] {1, 2, 1, 1}, net.shape("r1"));
        assertArrayEquals(new int[] {1, 2, 1, 1}, net.shape("r2"));
        assertArrayEquals(new int[] {2, 2, 1, 1}, net.layer("ip2").weights().get(0).shape());
        float[] r1 = reluOfProduct(w1, b1, IMAGE);
        float[] r2 = reluOfProduct(w2, b2, r1);
        double ip3 = b3[0] + w3[0] * r2[0] + w3[1] * r2[1];
        float[] out = Tensors.floats(new FloatEngine(net).forward(IMAGE, 1, null).get("ip3"));
        assertEquals(ip3, out[0], 1e-6);
    }

    /** max(0, w x + b) of a (b.length, x.length) matrix {@code w}, row by row. */
    private static float[] reluOfProduct(float[] w, float[] b, float[] x) {
        float[] y = new float[b.length];
        for (int o = 0; o < b.length; o++) {
            double sum = b[o];
            for (int j = 0; j < x.length; j++) {
                sum += w[o * x.length + j] * x[j];
            }
            y[o] = (float) Math.max(0, sum);
        }
        return y;
    }

    /**
     * {@code transpose: true} stores the weights (in, out): the convolution's kernel is their transpose. On random
     * weights and images the rewritten net equals Caffe's InnerProduct as the float engine computes it.
     */
    @Test
    void transposedWeightsAreTransposedIntoTheKernel() {
        String transposed = TWO_FC.replace("inner_product_param { num_output: 2 }",
                "inner_product_param { num_output: 2 transpose: true }");
        Random random = new Random(3);
        float[] w = new float[8];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextFloat() - 0.5f;
        }
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("ip1", blob(new int[] {4, 2}, w), blob(new int[] {2}, 0.1f, -0.2f)))
                .addLayer(layer("ip2", blob(new int[] {1, 2}, 0.7f, -0.3f), blob(new int[] {1}, 0.05f))).build();
        Net original = NetLoader.build(TestWeights.definition(transposed), weights);
        InnerProductConvolutions fc = InnerProductConvolutions.of(original);
        // weight (in j, out o) is at j * 2 + o; the kernel's output channel o holds column o
        float[] kernel = fc.net().layer("ip1").weights().get(0).data();
        assertArrayEquals(new float[] {w[0], w[2], w[4], w[6], w[1], w[3], w[5], w[7]}, kernel);
        for (int image = 0; image < 5; image++) {
            float[] x = new float[4];
            for (int i = 0; i < x.length; i++) {
                x[i] = 2 * random.nextFloat() - 1;
            }
            float expected = Tensors.floats(new FloatEngine(original).forward(x, 1, null).get("ip2"))[0];
            float actual = Tensors.floats(new FloatEngine(fc.net()).forward(x, 1, null).get("ip2"))[0];
            assertEquals(expected, actual, 1e-6);
        }
    }

    /**
     * An InnerProduct reading a Flatten of the image from the channel axis on reads the image itself (the same
     * products), and the Flatten, read by nothing else, goes.
     */
    @Test
    void anInnerProductReadsThroughAFlatten() {
        InnerProductConvolutions fc = InnerProductConvolutions.of(NetLoader.build(TestWeights.definition(
                before("ip1", "layer { name: \"flat\" type: \"Flatten\" bottom: \"data\" top: \"flat\" }")
                        .replace("bottom: \"data\" top: \"ip1\"", "bottom: \"flat\" top: \"ip1\"")), twoFcWeights()));
        assertEquals(List.of("ip1", "ip2"), List.copyOf(fc.rewritten()));
        assertEquals(List.of("data", "ip1", "relu1", "ip2"), fc.net().layers().stream().map(l -> l.name()).toList());
        assertEquals(List.of("data"), fc.net().layer("ip1").bottoms());
        float[] out = Tensors.floats(new FloatEngine(fc.net()).forward(IMAGE, 1, null).get("ip2"));
        assertEquals(0.720703125 * 0.9921875 + 0.125, out[0], 1e-6);
    }

    /**
     * An InnerProduct on a blob a Reshape made (N x K, no channel planes) stays an InnerProduct, in float, and so
     * does the one reading its output.
     */
    @Test
    void anInnerProductOnAReshapedBlobStaysFloat() {
        InnerProductConvolutions fc = InnerProductConvolutions.of(NetLoader.build(TestWeights.definition(
                before("ip1", "layer { name: \"flat\" type: \"Reshape\" bottom: \"data\" top: \"flat\" "
                        + "reshape_param { shape { dim: 0 dim: -1 } } }")
                        .replace("bottom: \"data\" top: \"ip1\"", "bottom: \"flat\" top: \"ip1\"")), twoFcWeights()));
        assertEquals(List.of("ip1", "ip2"), fc.kept());
        assertTrue(fc.rewritten().isEmpty());
        assertEquals(LayerType.INNER_PRODUCT, fc.net().layer("ip1").layerType());
    }

    /**
     * An InnerProduct whose output a Reshape reads, here through a ReLU that is not in place, stays an InnerProduct:
     * the Reshape's parameters are for its N x 1 output, not N x 1 x 1 x 1.
     */
    @Test
    void anInnerProductWhoseOutputAReshapeReadsStaysFloat() {
        String reshaped = TWO_FC + """
                layer { name: "relu2" type: "ReLU" bottom: "ip2" top: "r2" }
                layer { name: "shape" type: "Reshape" bottom: "r2" top: "shape"
                        reshape_param { shape { dim: 0 dim: 1 dim: 1 } } }
                """;
        InnerProductConvolutions fc = InnerProductConvolutions.of(
                NetLoader.build(TestWeights.definition(reshaped), twoFcWeights()));
        assertEquals(List.of("ip1"), List.copyOf(fc.rewritten()));
        assertEquals(List.of("ip2"), fc.kept());
        assertArrayEquals(new int[] {1, 1, 1}, fc.net().shape("shape"));
    }

    /** {@link #TWO_FC} with {@code layer} put before layer {@code name}. */
    private static String before(String name, String layer) {
        return TWO_FC.replace("layer { name: \"" + name + "\"", layer + "\n            layer { name: \"" + name + "\"");
    }

    /**
     * naive:8 computes both on codes, by hand. Thresholds (calibrated maxima, powers of two times 127 so that every
     * step is exact): the image 1.984375 (step 1/64: codes 64, -32, 16, 48), ip1's ReLU output 3.96875 (1/32), ip2's
     * 1.984375 (1/64); the weights' one scale per tensor, 0.9921875 for both (step 1/128; ip1's codes 64, 32, -127,
     * 16 and -32, 64, 48, 3; ip2's 127, -64). ip1: 64 x 64 - 32 x 32 - 16 x 127 + 48 x 16 = 1808 products of
     * 1/8192, 1808/256 = 7.0625 output codes plus the bias 0.5 = 16 codes: 23 (0.71875); the other channel's sum is
     * negative: 0 after the ReLU. ip2: 23 x 127 = 2921 products of 1/4096, 2921/64 = 45.640625 codes plus the bias
     * 0.125 = 8 codes: 53.64 rounds to 54, 0.84375 (float: 0.840073).
     */
    @Test
    void naive8ComputesInnerProductsOnCodes() {
        InnerProductConvolutions fc = twoFc();
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        stats.put("data", TestStatistics.of(1.984375f, 1f, -0.5f, 0.25f, 0.75f));
        stats.put("ip1", TestStatistics.of(-1f, 3.96875f));
        stats.put("relu1", TestStatistics.of(0f, 3.96875f));
        stats.put("ip2", TestStatistics.of(0.5f, 1.984375f));
        SchemeSpec naive = SchemeSpec.parse("naive:8");
        NetParameter q = SchemeNets.quantize(naive, fc.net(), new Calibration(stats, List.of("a.png"),
                List.of("a.png")), fc.rewritten()).net();
        FixedPointNet sim = SchemeNets.simulator(naive, NetLoader.buildSharing(q, fc.net().weights()), Map.of());
        assertEquals(new ThresholdFormat(8, 3.96875f), sim.blobFormats().get("ip1"));
        assertEquals(new ThresholdFormat(8, 1.984375f), sim.blobFormats().get("ip2"));
        float[] out = Tensors.floats(sim.forward(IMAGE, 1, null).get("ip2"));
        assertEquals(0.84375f, out[0]);
    }

    /**
     * bfp:8 by hand, the same steps from exponents: the image's channels 0 and 1 have exponents 0 and -1 (maxima 1
     * and 0.75; steps 1/64 and 1/128, codes 64, -32 and 32, 96, aligned exactly in the kernel), the weights one
     * exponent per layer (BFP's reference quantizes a fully connected layer's weights as whole), -1 for both (step
     * 1/128), ip1's output channels -1 (maxima 0.75, 0.5: step 1/128, so 0.720703125 is 92.25: 92, 0.71875), ip2's
     * output, the class scores, one exponent covering its max 1: 0 (step 1/64). ip2: 92 x 127 = 11684 products of
     * 1/16384, 45.640625 output codes plus the bias's 8: 54, 0.84375. Model bytes: 10 weights at 8 bits, 3 biases
     * at 32, one weight exponent per layer (2), one activation exponent per channel of the image (2), ip1's output
     * (2) and ip2's (1): 10 + 12 + 2 + 5 = 29.
     */
    @Test
    void bfp8ComputesInnerProductsOnCodes() {
        InnerProductConvolutions fc = twoFc();
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        for (String layer : List.of("data", "ip1", "relu1", "ip2")) {
            stats.put(layer, TestStatistics.of(-1f, 1f));
        }
        Map<String, ChannelStatistics> channels = new LinkedHashMap<>();
        channels.put("data", maxima(1f, 0.75f));
        channels.put("ip1", maxima(0.75f, 0.5f));
        channels.put("relu1", maxima(0.75f, 0.5f));
        channels.put("ip2", maxima(1f));
        SchemeSpec bfp = SchemeSpec.parse("bfp:8");
        NetParameter q = SchemeNets.quantize(bfp, fc.net(), new Calibration(stats, List.of("a.png"),
                List.of("a.png")), fc.rewritten()).net();
        assertEquals(List.of(0.9921875f, 0.9921875f), q.getLayer(1).getPrecisionParam().getThParamsList());
        Net quantized = NetLoader.buildSharing(q, fc.net().weights());
        FixedPointNet sim = SchemeNets.simulator(bfp, quantized, channels);
        assertEquals(new ThresholdFormat(8, 1.984375f).withFractionalBias(), sim.blobFormats().get("ip2"));
        float[] out = Tensors.floats(sim.forward(IMAGE, 1, null).get("ip2"));
        assertEquals(0.84375f, out[0]);
        assertEquals(29, ModelBytes.of(quantized, bfp.family(), sim, fc.rewritten()));
    }

    /**
     * The literature's schemes are not CHaiDNN's: their convolutions written for InnerProducts (ip1 here a 1 x 2
     * kernel, LeNet's ip1 a 4 x 4 one) are no layers of the user's net, so compare does not warn that the device's
     * supported-layers table lists no such kernel (it warned once per scheme on LeNet).
     */
    @Test
    void theLiteratureSchemesGetNoWarningOfTheDevicesSupportedLayers() {
        InnerProductConvolutions fc = twoFc();
        assertEquals(2, fc.net().layer("ip1").param().getConvolutionParam().getKernelW());
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        for (String layer : List.of("data", "ip1", "relu1", "ip2")) {
            stats.put(layer, TestStatistics.of(-1f, 0.5f, 1f));
        }
        for (String scheme : List.of("naive:8", "bfp:8", "aciq:4")) {
            List<String> notices = SchemeNets.quantize(SchemeSpec.parse(scheme), fc.net(), new Calibration(stats,
                    List.of("a.png"), List.of("a.png")), fc.rewritten()).notices().stream().map(n -> n.text()).toList();
            assertTrue(notices.stream().noneMatch(n -> n.contains("SUPPORTED_LAYERS")), scheme + ": " + notices);
        }
    }

    /** CHaiDNN's modes keep InnerProduct in float (its runtime computes them in software); the papers' do not. */
    @Test
    void onlyTheLiteratureSchemesQuantizeInnerProducts() {
        for (String s : List.of("xilinx:8", "dynamicfixed:8")) {
            assertFalse(SchemeSpec.parse(s).quantizesInnerProducts(), s);
        }
        for (String s : List.of("naive:8", "bfp:8", "aciq:4", "f8net:8")) {
            assertTrue(SchemeSpec.parse(s).quantizesInnerProducts(), s);
        }
        // xilinx:8 on the net as it is: no block on an InnerProduct, so the simulator computes it in float
        Net net = NetLoader.build(TestWeights.definition(TWO_FC), twoFcWeights());
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        for (String layer : List.of("data", "ip1", "relu1", "ip2")) {
            stats.put(layer, TestStatistics.of(-1f, 1f));
        }
        SchemeSpec xilinx = SchemeSpec.parse("xilinx:8");
        NetParameter q = SchemeNets.quantize(xilinx, net, new Calibration(stats, List.of("a.png"), List.of("a.png")),
                java.util.Set.of()).net();
        FixedPointNet sim = SchemeNets.simulator(xilinx, NetLoader.build(q, twoFcWeights()), Map.of());
        assertNull(sim.blobFormats().get("ip1"));
        assertNull(sim.blobFormats().get("ip2"));
    }

    /** One image whose channel c is the constant {@code maxima[c]}. */
    private static ChannelStatistics maxima(float... maxima) {
        ChannelStatistics s = new ChannelStatistics(maxima);
        s.add(maxima, 1);
        return s;
    }
}
