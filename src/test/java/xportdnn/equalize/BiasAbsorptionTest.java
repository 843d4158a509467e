package xportdnn.equalize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

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
 * Bias absorption after equalization, on conv1 (1 -> 2 channels, weights [4, -0.25], bias [2, 1], as if a BatchNorm
 * of beta [2, 1], |gamma| [0.1, 0.5] were folded into it) -> ReLU -> conv2 (weights [[1, 4], [-0.5, 2]], bias
 * [0.5, -3]). Equalization gives s = [2, 0.25] (CrossLayerEqualizationTest), conv1 [2, -1] with bias [1, 4] and conv2
 * [[2, 1], [-1, 0.5]]. Absorbed: a = max(0, beta - 3 gamma) / s = [1.7 / 2, max(0, -0.5) / 0.25] = [0.85, 0].
 */
class BiasAbsorptionTest {

    private static final Map<String, OutputDistribution> BATCH_NORM = Map.of("conv1",
            new OutputDistribution(new float[] {2, 1}, new float[] {0.1f, 0.5f}));

    private static Net net(int conv2Kernel) {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 1"
                + " dim: 5 dim: 5 } } }\n"
                + "layer { name: \"conv1\" type: \"Convolution\" bottom: \"data\" top: \"c1\" convolution_param {"
                + " num_output: 2 kernel_size: 1 } }\n"
                + "layer { name: \"relu1\" type: \"ReLU\" bottom: \"c1\" top: \"c1\" }\n"
                + "layer { name: \"conv2\" type: \"Convolution\" bottom: \"c1\" top: \"c2\" convolution_param {"
                + " num_output: 2 kernel_size: " + conv2Kernel + " pad: " + conv2Kernel / 2 + " } }\n";
        float[] w2 = new float[4 * conv2Kernel * conv2Kernel];
        float[] centre = {1, 4, -0.5f, 2}; // a 3x3 kernel holds them at its centre, its other taps 0.5
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < conv2Kernel * conv2Kernel; k++) {
                w2[i * conv2Kernel * conv2Kernel + k] = k == conv2Kernel * conv2Kernel / 2 ? centre[i] : 0.5f;
            }
        }
        return NetLoader.build(TestWeights.definition(prototxt), NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 4f, -0.25f), blob(new int[] {2}, 2f, 1f)))
                .addLayer(layer("conv2", blob(new int[] {2, 2, conv2Kernel, conv2Kernel}, w2),
                        blob(new int[] {2}, 0.5f, -3f))).build());
    }

    private static float[] bias(Net net, String layer) {
        return net.layer(layer).weights().get(1).data();
    }

    /** Inputs in [0, 1]: conv1's channel 0 is 4x + 2 >= 2 > beta - 3 gamma, so the absorption is exact. */
    private static void assertSameOutputs(Net before, Net after) {
        float[] image = new float[25];
        Random random = new Random(5);
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        INDArray x = new FloatEngine(before).forward(image, 1, null).get("c2");
        INDArray y = new FloatEngine(after).forward(image, 1, null).get("c2");
        assertArrayEquals(x.data().asFloat(), y.data().asFloat(), 1e-5f);
    }

    @Test
    void theAmountMovesFromTheFirstBiasIntoTheNext() {
        Net net = net(1);
        CrossLayerEqualization.Result r = CrossLayerEqualization.run(net, BATCH_NORM);
        CrossLayerEqualization.PairScales pair = r.pairs().get(0);
        assertNull(pair.notAbsorbed());
        assertArrayEquals(new double[] {0.85, 0}, pair.absorbed(), 1e-6);
        assertArrayEquals(new float[] {1 - 0.85f, 4}, bias(r.net(), "conv1"), 1e-6f);
        // conv2's bias + W2 a: [0.5 + 2 * 0.85, -3 - 1 * 0.85]
        assertArrayEquals(new float[] {2.2f, -3.85f}, bias(r.net(), "conv2"), 1e-6f);
        assertSameOutputs(net, r.net());
    }

    /**
     * conv2 3x3 with padding 1: a border output reads padding, which is 0 whether or not the shift was taken out, so
     * W2 a would be wrong there; nothing is absorbed (the equalized biases as without absorption) and the float net
     * still computes the same.
     */
    @Test
    void aReaderThatPadsAbsorbsNothing() {
        Net net = net(3);
        CrossLayerEqualization.Result r = CrossLayerEqualization.run(net, BATCH_NORM);
        CrossLayerEqualization.PairScales pair = r.pairs().get(0);
        assertNull(pair.absorbed());
        assertEquals("conv2 pads its input", pair.notAbsorbed());
        assertArrayEquals(bias(CrossLayerEqualization.run(net).net(), "conv1"), bias(r.net(), "conv1"));
        assertArrayEquals(new float[] {0.5f, -3}, bias(r.net(), "conv2"));
        assertSameOutputs(net, r.net());
    }

    @Test
    void withoutBatchNormStatisticsNothingIsAbsorbed() {
        CrossLayerEqualization.PairScales pair = CrossLayerEqualization.run(net(1)).pairs().get(0);
        assertNull(pair.absorbed());
        assertNull(pair.notAbsorbed());
    }
}
