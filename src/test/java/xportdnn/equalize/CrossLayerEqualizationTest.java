package xportdnn.equalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * Cross-layer equalization on small nets built here: the float net computes the same, and the scales are the
 * hand-computed s_c = sqrt(r1_c / r2_c), after which each channel's two ranges are equal.
 */
class CrossLayerEqualizationTest {

    private static String input(int channels) {
        return "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: " + channels
                + " dim: 6 dim: 6 } } }\n";
    }

    private static String conv(String name, String bottom, String top, int outputs, int kernel, int group) {
        return "layer { name: \"" + name + "\" type: \"Convolution\" bottom: \"" + bottom + "\" top: \"" + top
                + "\" convolution_param { num_output: " + outputs + " kernel_size: " + kernel + " pad: " + kernel / 2
                + " group: " + group + " } }\n";
    }

    private static String relu(String name, String bottom, String top) {
        return "layer { name: \"" + name + "\" type: \"ReLU\" bottom: \"" + bottom + "\" top: \"" + top + "\" }\n";
    }

    private static String pool(String name, String bottom, String top, String method) {
        return "layer { name: \"" + name + "\" type: \"Pooling\" bottom: \"" + bottom + "\" top: \"" + top
                + "\" pooling_param { pool: " + method + " kernel_size: 2 stride: 1 } }\n";
    }

    private static Net random(String prototxt) {
        NetParameter definition = TestWeights.definition(prototxt);
        return NetLoader.build(definition, TestWeights.random(definition, 7));
    }

    private static void assertValues(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), "value " + i);
        }
    }

    private static float[] weights(Net net, String layer) {
        return net.layer(layer).weights().get(0).data();
    }

    /** conv1: 1 -> 2 channels, 1x1, weights [4, -0.25], bias [2, 1]: r1 = [4, 0.25]. */
    private static final NetParameter.Builder CONV1 = NetParameter.newBuilder().addLayer(layer("conv1",
            blob(new int[] {2, 1, 1, 1}, 4f, -0.25f), blob(new int[] {2}, 2f, 1f)));

    /**
     * conv2 reads both channels with weights [[1, 4], [-0.5, 2]] (output x input): r2 = [1, 4], so s = sqrt(r1 / r2)
     * = [2, 0.25]; conv1 becomes [2, -1] (bias [1, 4]) and conv2 [[2, 1], [-1, 0.5]]: both ranges are [2, 1] =
     * sqrt(r1 r2).
     */
    @Test
    void aPairEndsWithEachChannelsTwoRangesEqual() {
        Net net = NetLoader.build(TestWeights.definition(input(1) + conv("conv1", "data", "c1", 2, 1, 1)
                + relu("relu1", "c1", "c1") + conv("conv2", "c1", "c2", 2, 1, 1)),
                CONV1.clone().addLayer(layer("conv2", blob(new int[] {2, 2, 1, 1}, 1f, 4f, -0.5f, 2f),
                        blob(new int[] {2}, 0.5f, -3f))).build());
        CrossLayerEqualization.Result r = CrossLayerEqualization.run(net);
        assertEquals(List.of(new EqualizationPair("conv1", List.of("conv2"))),
                r.pairs().stream().map(CrossLayerEqualization.PairScales::pair).toList());
        assertValues(new double[] {2, -1}, weights(r.net(), "conv1"));
        assertValues(new double[] {1, 4}, r.net().layer("conv1").weights().get(1).data());
        assertValues(new double[] {2, 1, -1, 0.5}, weights(r.net(), "conv2"));
        assertValues(new double[] {0.5, -3}, r.net().layer("conv2").weights().get(1).data()); // untouched
        assertEquals(0.25, r.pairs().get(0).smallest(), 1e-9);
        assertEquals(2, r.pairs().get(0).largest(), 1e-9);
        assertEquals(2, r.sweeps()); // the second sweep finds nothing left to move
        assertTrue(r.converged());
        // the caffemodel written holds the same values
        Net reloaded = NetLoader.build(net.definition(), r.caffemodel());
        assertValues(new double[] {2, 1, -1, 0.5}, weights(reloaded, "conv2"));
    }

    /** Depthwise second (each input channel has its own output) and depthwise first: the same scales [2, 0.25]. */
    @Test
    void depthwiseConvolutionsEqualizeOnEitherSide() {
        Net second = NetLoader.build(TestWeights.definition(input(1) + conv("conv1", "data", "c1", 2, 1, 1)
                + relu("relu1", "c1", "r1") + conv("dw", "r1", "d", 2, 1, 2)),
                CONV1.clone().addLayer(layer("dw", blob(new int[] {2, 1, 1, 1}, 1f, 4f),
                        blob(new int[] {2}, 0f, 0f))).build());
        CrossLayerEqualization.Result r = CrossLayerEqualization.run(second);
        assertValues(new double[] {2, -1}, weights(r.net(), "conv1"));
        assertValues(new double[] {2, 1}, weights(r.net(), "dw"));

        Net first = NetLoader.build(TestWeights.definition(input(2) + conv("dw", "data", "d", 2, 1, 2)
                + relu("relu1", "d", "d") + conv("pw", "d", "p", 1, 1, 1)),
                NetParameter.newBuilder().addLayer(layer("dw", blob(new int[] {2, 1, 1, 1}, 4f, -0.25f),
                        blob(new int[] {2}, 2f, 1f)))
                        .addLayer(layer("pw", blob(new int[] {1, 2, 1, 1}, 1f, 4f), blob(new int[] {1}, 0f)))
                        .build());
        r = CrossLayerEqualization.run(first);
        assertValues(new double[] {2, -1}, weights(r.net(), "dw"));
        assertValues(new double[] {1, 4}, r.net().layer("dw").weights().get(1).data());
        assertValues(new double[] {2, 1}, weights(r.net(), "pw"));
    }

    /**
     * A blob read by two convolutions (SqueezeNet's squeeze and its two expands): r2 is the larger of the two
     * readers', [max(1, 2), max(4, 1)] = [2, 4]; s = [sqrt 2, 0.25]; conv1 [2 sqrt 2, -1], a [sqrt 2, 1],
     * b [2 sqrt 2, 0.25].
     */
    @Test
    void twoReadersAreScaledTogether() {
        Net net = NetLoader.build(TestWeights.definition(input(1) + conv("conv1", "data", "c1", 2, 1, 1)
                + relu("relu1", "c1", "c1") + conv("a", "c1", "a", 1, 1, 1) + conv("b", "c1", "b", 1, 1, 1)),
                CONV1.clone().addLayer(layer("a", blob(new int[] {1, 2, 1, 1}, 1f, 4f), blob(new int[] {1}, 0f)))
                        .addLayer(layer("b", blob(new int[] {1, 2, 1, 1}, 2f, 1f), blob(new int[] {1}, 0f)))
                        .build());
        CrossLayerEqualization.Result r = CrossLayerEqualization.run(net);
        assertEquals(List.of(new EqualizationPair("conv1", List.of("a", "b"))),
                r.pairs().stream().map(CrossLayerEqualization.PairScales::pair).toList());
        double root2 = Math.sqrt(2);
        assertValues(new double[] {2 * root2, -1}, weights(r.net(), "conv1"));
        assertValues(new double[] {root2, 1}, weights(r.net(), "a"));
        assertValues(new double[] {2 * root2, 0.25}, weights(r.net(), "b"));
    }

    /** A chain through pooling, grouped and depthwise convolutions and two readers: the float net computes the same. */
    @Test
    void theFloatNetComputesTheSame() {
        Net net = random(input(3) + conv("conv1", "data", "c1", 4, 3, 1) + relu("relu1", "c1", "c1")
                + pool("pool1", "c1", "p1", "MAX") + conv("g2", "p1", "g", 4, 3, 2) + relu("relu2", "g", "g")
                + conv("dw", "g", "d", 4, 3, 4) + relu("relu3", "d", "r3") + pool("pool2", "r3", "p2", "AVE")
                + conv("pw", "p2", "pw", 6, 1, 1) + relu("relu4", "pw", "pw") + conv("a", "pw", "a", 2, 1, 1)
                + conv("b", "pw", "b", 3, 3, 1));
        CrossLayerEqualization.Result r = CrossLayerEqualization.run(net);
        assertEquals(List.of(new EqualizationPair("conv1", List.of("g2")), new EqualizationPair("g2", List.of("dw")),
                        new EqualizationPair("dw", List.of("pw")), new EqualizationPair("pw", List.of("a", "b"))),
                r.pairs().stream().map(CrossLayerEqualization.PairScales::pair).toList());
        assertTrue(r.pairs().stream().anyMatch(p -> p.smallest() < 0.9 || p.largest() > 1.1), r.pairs().toString());
        assertTrue(r.sweeps() > 2 && r.sweeps() < CrossLayerEqualization.MAX_SWEEPS, "sweeps " + r.sweeps());
        assertTrue(r.converged(), "last move " + r.lastMove());

        float[] image = new float[3 * 6 * 6];
        Random random = new Random(3);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        Map<String, INDArray> before = new FloatEngine(net).forward(image, 1, null);
        Map<String, INDArray> after = new FloatEngine(r.net()).forward(image, 1, null);
        assertEquals(before.keySet(), after.keySet());
        for (String blob : before.keySet()) {
            float[] x = before.get(blob).data().asFloat();
            float[] y = after.get(blob).data().asFloat();
            double scale = 0;
            for (float v : x) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-5 * scale, blob + " value " + i);
            }
        }
        // and every channel of every pair now has its two ranges equal (the fixed point of the sweeps)
        for (CrossLayerEqualization.PairScales p : r.pairs()) {
            ConvolutionChannels first = new ConvolutionChannels(r.net().layer(p.pair().first()));
            List<ConvolutionChannels> next = p.pair().next().stream()
                    .map(n -> new ConvolutionChannels(r.net().layer(n))).toList();
            for (int c = 0; c < first.outputs(); c++) {
                int channel = c;
                double r2 = next.stream().mapToDouble(n -> n.inputRange(channel)).max().orElseThrow();
                assertEquals(first.outputRange(c), r2, 1e-3 * r2, p.pair() + " channel " + c);
            }
        }
    }

    private static List<EqualizationPair> pairs(String prototxt) {
        return EqualizationPair.find(random(prototxt));
    }

    @Test
    void pairsThroughWhatDoesNotCommuteWithAScaleAreLeftOut() {
        String conv1 = input(2) + conv("conv1", "data", "c1", 2, 1, 1);
        assertEquals(List.of(), pairs(conv1 + "layer { name: \"leaky\" type: \"ReLU\" bottom: \"c1\" top: \"c1\""
                + " relu_param { negative_slope: 0.1 } }\n" + conv("conv2", "c1", "c2", 2, 1, 1)), "leaky ReLU");
        assertEquals(List.of(), pairs(conv1 + "layer { name: \"prelu\" type: \"PReLU\" bottom: \"c1\" top: \"c1\" }\n"
                + conv("conv2", "c1", "c2", 2, 1, 1)), "PReLU");
        assertEquals(List.of(), pairs(conv1 + conv("conv0", "data", "c0", 2, 1, 1)
                + "layer { name: \"cat\" type: \"Concat\" bottom: \"c1\" bottom: \"c0\" top: \"cat\" }\n"
                + conv("conv2", "cat", "c2", 2, 1, 1)), "Concat");
        assertEquals(List.of(), pairs(conv1 + conv("conv0", "data", "c0", 2, 1, 1)
                + "layer { name: \"sum\" type: \"Eltwise\" bottom: \"c1\" bottom: \"c0\" top: \"sum\" }\n"
                + conv("conv2", "sum", "c2", 2, 1, 1)), "Eltwise");
        assertEquals(List.of(), pairs(conv1 + relu("relu1", "c1", "r1") + conv("conv2", "r1", "c2", 2, 1, 1)
                + "layer { name: \"prob\" type: \"Softmax\" bottom: \"r1\" top: \"prob\" }\n"),
                "a blob also read by a Softmax");
        // the same without the Softmax is a pair; the last convolution (a net output) is first of none
        assertEquals(List.of(new EqualizationPair("conv1", List.of("conv2"))),
                pairs(conv1 + relu("relu1", "c1", "r1") + conv("conv2", "r1", "c2", 2, 1, 1)));
    }
}
