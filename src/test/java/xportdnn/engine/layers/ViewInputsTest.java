package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.ramp;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;

/**
 * Ops handed a view that is neither dense nor channels-last memory (here images 1 and 2 of a batch of 3, as the
 * engine hands a share of the batch to the first layer) copy it into a buffer they keep, not into a fresh native
 * array per call that only the garbage collector frees: 40 calls on a 2 MB view leave the process far less than
 * 40 views larger (a copy per call: 80 MB resident, unless a collection happened to run), and compute what they
 * compute from a dense copy of the same values.
 */
class ViewInputsTest {

    private static final long[] SHAPE = {2, 4, 256, 256};
    private static final int CALLS = 40;

    /** Images 1 and 2 of a dense batch of 3 of {@link #SHAPE}'s image shape: a view at an offset. */
    private static INDArray batchSlice(float start) {
        INDArray batch = Tensors.of(ramp(3 * 4 * 256 * 256, start, 1e-5f), 3, SHAPE[1], SHAPE[2], SHAPE[3]);
        return batch.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private static Layer op(String kind) {
        return switch (kind) {
            case "Pooling" -> layer("name: 'p' type: 'Pooling' pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 }");
            case "InnerProduct" -> layer("name: 'ip' type: 'InnerProduct' inner_product_param { num_output: 1 }",
                    blob(new int[] {1, 4 * 256 * 256}, ramp(4 * 256 * 256, -1f, 1e-6f)), blob(0.5f));
            case "Flatten" -> layer("name: 'f' type: 'Flatten'");
            case "Tile" -> layer("name: 't' type: 'Tile' tile_param { axis: 1 tiles: 2 }");
            case "Scale" -> layer("name: 's' type: 'Scale' bottom: 'x' bottom: 'factor' scale_param { axis: 0 }");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"Pooling", "InnerProduct", "Flatten", "Tile", "Scale"})
    void aViewIsCopiedIntoAKeptBuffer(String kind) {
        Layer layer = op(kind);
        INDArray view = batchSlice(-1f);
        assertFalse(Tensors.isDense(view));
        // Scale: the view is the factor (its second bottom); the others read it as their only bottom
        List<INDArray> bottoms = kind.equals("Scale") ? List.of(Tensors.of(ramp(2 * 4 * 256 * 256, 2f, 1e-5f), SHAPE), view)
                : List.of(view);
        List<INDArray> denseBottoms = new ArrayList<>();
        bottoms.forEach(b -> denseBottoms.add(b.dup('c')));
        List<int[]> shapes = bottoms.stream().map(Layers::intShape).toList();
        float[] expected = Tensors.floats(Layers.create(layer, shapes).forward(denseBottoms).get(0));

        LayerOp op = Layers.create(layer, shapes);
        op.forward(bottoms);
        long before = Pointer.physicalBytes();
        for (int i = 0; i < CALLS; i++) {
            op.forward(bottoms);
        }
        long grown = Pointer.physicalBytes() - before;
        assertArrayEquals(expected, Tensors.floats(op.forward(bottoms).get(0)), 0f);
        long viewBytes = view.length() * Float.BYTES;
        // a copy per call grows by 40 views (unless a collection ran); half of that leaves room for the process's
        // own growth meanwhile (a first pooling call's primitives, allocator arenas: 27 MB was seen in one CI run)
        assertTrue(grown < CALLS / 2 * viewBytes, kind + ": resident memory grew by " + grown + " bytes");
    }
}
