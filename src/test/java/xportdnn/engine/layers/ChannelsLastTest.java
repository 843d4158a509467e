package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;

import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;

/**
 * Convolutions and poolings hand on channels-last memory behind channels-first views: every op must compute the
 * same values from such a view as from a dense channels-first array of the same values.
 */
class ChannelsLastTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static INDArray dense(long... shape) {
        return Tensors.of(random((int) Tensors.count(shape), shape.length), shape);
    }

    /** The same values held channels-last. */
    private static INDArray channelsLast(INDArray x) {
        return Tensors.channelsFirstView(x.permute(0, 2, 3, 1).dup('c'));
    }

    private static void assertSameOutputs(Layer layer, INDArray... bottoms) {
        List<int[]> shapes = java.util.Arrays.stream(bottoms).map(Layers::intShape).toList();
        List<INDArray> expected = Layers.create(layer, shapes).forward(List.of(bottoms));
        INDArray[] converted = java.util.Arrays.stream(bottoms).map(b -> b.rank() == 4 ? channelsLast(b) : b)
                .toArray(INDArray[]::new);
        List<INDArray> actual = Layers.create(layer, shapes).forward(List.of(converted));
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).shape(), actual.get(i).shape(), layer.name());
            assertArrayEquals(Tensors.floats(expected.get(i)), Tensors.floats(actual.get(i)), 1e-5f, layer.name());
        }
        // the inputs are left as they were
        for (int i = 0; i < bottoms.length; i++) {
            assertArrayEquals(Tensors.floats(bottoms[i]), Tensors.floats(converted[i]), 0f);
        }
    }

    @Test
    void layoutHelpers() {
        INDArray x = dense(2, 3, 4, 5);
        assertNull(Tensors.channelsLastStorage(x), "a dense channels-first array");
        INDArray view = channelsLast(x);
        INDArray storage = Tensors.channelsLastStorage(view);
        assertNotNull(storage);
        assertArrayEquals(new long[] {2, 4, 5, 3}, storage.shape());
        assertArrayEquals(Tensors.floats(x), Tensors.floats(view), 0f, "floats reads Caffe's order, not the memory's");
        Buffers buffers = new Buffers();
        assertSame(x, buffers.dense(0, x));
        assertArrayEquals(new long[] {60, 20, 5, 1}, buffers.dense(0, view).stride(), "a C-ordered copy");
        assertNull(Tensors.channelsLastStorage(view.get(NDArrayIndex.interval(0, 1))), "a slice of one");
        assertFalse(Tensors.isDense(view));
    }

    @Test
    void poolingBothMethodsWithPaddingAndGlobal() {
        INDArray x = dense(2, 3, 7, 6);
        assertSameOutputs(layer("name: 'max' type: 'Pooling' pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 }"), x);
        assertSameOutputs(layer("name: 'ave' type: 'Pooling' pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 }"), x);
        assertSameOutputs(layer("name: 'ceil' type: 'Pooling' pooling_param { pool: AVE kernel_size: 2 stride: 2 }"), x);
        assertSameOutputs(layer("name: 'global' type: 'Pooling' pooling_param { pool: AVE global_pooling: true }"), x);
    }

    @Test
    void convolutionFromEitherLayout() {
        INDArray x = dense(2, 4, 6, 5);
        float[] w = random(3 * 4 * 3 * 3, 7);
        assertSameOutputs(layer("name: 'conv' type: 'Convolution' convolution_param { num_output: 3 kernel_size: 3 pad: 1 stride: 2 }",
                blob(new int[] {3, 4, 3, 3}, w), blob(0.5f, -0.25f, 1f)), x);
        // grouped and depthwise convolutions compute channels-first
        assertSameOutputs(layer("name: 'grouped' type: 'Convolution' convolution_param { num_output: 2 kernel_size: 1 group: 2 bias_term: false }",
                blob(new int[] {2, 2, 1, 1}, 1, 2, 3, 4)), x);
        assertSameOutputs(layer("name: 'depthwise' type: 'Convolution' convolution_param { num_output: 4 kernel_size: 1 group: 4 bias_term: false }",
                blob(new int[] {4, 1, 1, 1}, 1, -2, 3, -4)), x);
    }

    @Test
    void concatOfChannelsLastAndMixedBottoms() {
        Layer concat = layer("name: 'cat' type: 'Concat' bottom: 'a' bottom: 'b' top: 'c'");
        INDArray a = dense(2, 3, 4, 5);
        INDArray b = dense(2, 2, 4, 5).addi(5);
        assertSameOutputs(concat, a, b);
        List<INDArray> mixed = Layers.create(concat, List.of(Layers.intShape(a), Layers.intShape(b)))
                .forward(List.of(channelsLast(a), b));
        List<INDArray> plain = Layers.create(concat, List.of(Layers.intShape(a), Layers.intShape(b))).forward(List.of(a, b));
        assertArrayEquals(Tensors.floats(plain.get(0)), Tensors.floats(mixed.get(0)), 0f);
    }

    @Test
    void elementwiseAndPerChannelLayers() {
        INDArray x = dense(2, 3, 4, 5);
        assertSameOutputs(layer("name: 'relu' type: 'ReLU'"), x);
        assertSameOutputs(layer("name: 'leaky' type: 'ReLU' relu_param { negative_slope: 0.1 }"), x);
        assertSameOutputs(layer("name: 'elu' type: 'ELU'"), x);
        assertSameOutputs(layer("name: 'scale' type: 'Scale' scale_param { bias_term: true }",
                blob(2, -1, 0.5f), blob(0.1f, 0.2f, 0.3f)), x);
        assertSameOutputs(layer("name: 'softmax' type: 'Softmax'"), x);
        assertSameOutputs(layer("name: 'flatten' type: 'Flatten'"), x);
        assertSameOutputs(layer("name: 'ip' type: 'InnerProduct' inner_product_param { num_output: 2 }",
                blob(new int[] {2, 60}, random(120, 3)), blob(1, -1)), x);
    }

    @Test
    void inPlaceLayersRewriteChannelsLastMemory() {
        INDArray x = dense(1, 3, 2, 2);
        float[] expected = Tensors.floats(x);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(expected[i], 0) * (i / 4 == 1 ? -1 : 1);
        }
        INDArray bottom = channelsLast(x);
        INDArray relu = Layers.create(layer("name: 'relu' type: 'ReLU'"), List.of(Layers.intShape(x)))
                .forwardInPlace(List.of(bottom)).get(0);
        assertSame(Tensors.channelsLastStorage(bottom).data(), Tensors.channelsLastStorage(relu).data(), "rewritten where it was");
        INDArray scaled = Layers.create(layer("name: 'scale' type: 'Scale'", blob(1, -1, 1)), List.of(Layers.intShape(x)))
                .forwardInPlace(List.of(relu)).get(0);
        assertArrayEquals(expected, Tensors.floats(scaled), 0f);
    }

    /**
     * A depthwise convolution reading a channels-last view copies it into a buffer it keeps, not into a fresh
     * native array per call that only the garbage collector frees: 40 calls on a 2 MB input leave the process far
     * less than 40 inputs larger (a copy per call: 80 MB resident, unless a collection happened to run; the bound,
     * 20 inputs, leaves room for what else the JVM maps meanwhile).
     */
    @Test
    void depthwiseConvolutionCopiesAViewIntoAKeptBuffer() {
        INDArray view = channelsLast(dense(2, 4, 256, 256));
        LayerOp op = Layers.create(layer("name: 'dw' type: 'Convolution' convolution_param { num_output: 4 "
                + "kernel_size: 3 pad: 1 group: 4 bias_term: false }", blob(new int[] {4, 1, 3, 3}, random(36, 5))),
                List.of(Layers.intShape(view)));
        float[] first = Tensors.floats(op.forward(List.of(view)).get(0));
        long before = Pointer.physicalBytes();
        for (int i = 0; i < 40; i++) {
            op.forward(List.of(view));
        }
        long grown = Pointer.physicalBytes() - before;
        assertArrayEquals(first, Tensors.floats(op.forward(List.of(view)).get(0)), 0f);
        long inputBytes = view.length() * Float.BYTES;
        assertTrue(grown < 20 * inputBytes, "resident memory grew by " + grown + " bytes"); // a copy per call: 40
    }
}
