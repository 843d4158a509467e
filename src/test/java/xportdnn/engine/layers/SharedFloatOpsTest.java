package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.model.Layer;

/**
 * The float ops with weights that the simulator runs once per batch share ({@link LayerOp#sharingWeights}): the
 * other thread's op computes on the same weights (the same op's), its output its own, so neither pass overwrites
 * the other's. Values worked out by hand.
 */
class SharedFloatOpsTest {

    /** Two 2-channel 1x2 inputs. */
    private static final float[] FIRST = {3, 5, 8, -1};
    private static final float[] SECOND = {-2, 4, 0, 6};

    /**
     * {@code op} (of {@code layer}) and its sharing op run one after the other on FIRST and SECOND: the first result is not
     * overwritten by the second pass, each is what the layer computes.
     */
    private static void sharesAndKeepsItsOwnOutput(Layer layer, InPlaceOp op, float[] first, float[] second) {
        InPlaceOp other = (InPlaceOp) op.sharingWeights();
        assertNotSame(op, other); // its buffer its own
        assertSame(op, other.weightsOwner());
        assertSame(op, ((InPlaceOp) other.sharingWeights()).weightsOwner()); // a share of a share: the same owner
        INDArray y = op.forward(List.of(array(FIRST, 1, 2, 1, 2))).get(0);
        INDArray z = other.forward(List.of(array(SECOND, 1, 2, 1, 2))).get(0);
        assertValues(first, y, 1e-6);
        assertValues(second, z, 1e-6);
        // as Layers.create wraps it (channels-first copies of its bottoms), it still shares
        assertNotNull(Layers.create(layer, List.of(new int[] {1, 2, 1, 2})).sharingWeights());
    }

    /**
     * A ReLU and its sharing op on two threads at once: each computes on its own arrays. (The ReLU's native context
     * was one for both, so one thread's call could run on the other's arrays: shares of a batch gave wrong outputs.)
     */
    @Test
    void reluOnTwoThreadsAtOnce() throws Exception {
        InPlaceOp relu = Activation.relu(layer("name: 'r' type: 'ReLU'"));
        InPlaceOp other = (InPlaceOp) relu.sharingWeights();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> a = threads.submit(() -> wrongResults(relu, -1f));
            Future<Integer> b = threads.submit(() -> wrongResults(other, 2f));
            assertEquals(0, a.get() + b.get());
        } finally {
            threads.shutdownNow();
        }
    }

    /** Of 3000 passes of {@code op} on inputs all {@code value}, how many did not give {@code max(value, 0)}. */
    private static int wrongResults(InPlaceOp op, float value) {
        INDArray x = Nd4j.valueArrayOf(new long[] {1, 4, 16, 16}, value);
        int wrong = 0;
        for (int i = 0; i < 3000; i++) {
            INDArray y = op.forward(List.of(x)).get(0);
            wrong += y.minNumber().floatValue() == Math.max(value, 0) && y.maxNumber().floatValue() == Math.max(value, 0) ? 0 : 1;
        }
        return wrong;
    }

    @Test
    void batchNorm() {
        // mean [1, 2], variance [4, 9] (stored x2, factor 2), eps 0: (x - m) / s
        Layer layer = layer("name: 'bn' type: 'BatchNorm' batch_norm_param { eps: 0 }", blob(2, 4), blob(8, 18),
                blob(2));
        sharesAndKeepsItsOwnOutput(layer, new BatchNorm(layer), new float[] {1, 2, 2, -1}, new float[] {-1.5f, 1.5f, -2f / 3, 4f / 3});
    }

    @Test
    void scale() {
        // x * [2, -1] + [0.5, 1]
        Layer layer = layer("name: 's' type: 'Scale' scale_param { bias_term: true }", blob(2, -1), blob(0.5f, 1));
        sharesAndKeepsItsOwnOutput(layer, ScaleBias.scale(layer), new float[] {6.5f, 10.5f, -7, 2}, new float[] {-3.5f, 8.5f, 1, -5});
    }

    @Test
    void prelu() {
        // slopes [0.5, 0.1] on the negatives
        Layer layer = layer("name: 'p' type: 'PReLU'", blob(0.5f, 0.1f));
        sharesAndKeepsItsOwnOutput(layer, new PRelu(layer), new float[] {3, 5, 8, -0.1f}, new float[] {-1, 4, 0, 6});
    }

    @Test
    void normalize() {
        // per pixel: (3, 8) -> norm sqrt(73), (5, -1) -> sqrt(26); (-2, 0) -> 2, (4, 6) -> sqrt(52); scales 10, 20
        float a = (float) Math.sqrt(73);
        float b = (float) Math.sqrt(26);
        float c = (float) Math.sqrt(52);
        Layer layer = layer("name: 'l2' type: 'Normalize' norm_param { across_spatial: false channel_shared: false }",
                blob(10, 20));
        sharesAndKeepsItsOwnOutput(layer, new Normalize(layer), new float[] {30 / a, 50 / b, 160 / a, -20 / b},
                new float[] {-10, 40 / c, 0, 120 / c});
    }

    /** Deconvolution keeps nothing between calls: it is its own sharing op, each call's output its own. */
    @Test
    void deconvolution() {
        Layer layer = layer("name: 'd' type: 'Deconvolution' convolution_param { num_output: 1 kernel_size: 2 "
                + "bias_term: false }", blob(new int[] {1, 1, 2, 2}, 1, 2, 3, 4));
        LayerOp op = new Deconvolution(layer, List.of(new int[] {1, 1, 2, 2}));
        LayerOp other = op.sharingWeights();
        assertSame(op, other);
        INDArray y = op.forward(List.of(array(new float[] {1, 10, 100, 1000}, 1, 1, 2, 2))).get(0);
        INDArray z = other.forward(List.of(array(new float[] {1, 0, 0, 0}, 1, 1, 2, 2))).get(0);
        // out[i + a][j + b] += x[i][j] * k[a][b]
        assertValues(new float[] {1, 12, 20, 103, 1234, 2040, 300, 3400, 4000}, y, 0);
        assertValues(new float[] {1, 2, 0, 3, 4, 0, 0, 0, 0}, z, 0);
        assertNotNull(Layers.create(layer, List.of(new int[] {1, 1, 2, 2})).sharingWeights());
    }
}
