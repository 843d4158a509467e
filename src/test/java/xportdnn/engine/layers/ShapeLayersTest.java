package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.ramp;
import static xportdnn.engine.layers.Cases.run;
import static xportdnn.engine.layers.Cases.run1;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Concat, Slice, Split, Flatten, Reshape and Crop. */
class ShapeLayersTest {

    private final INDArray x = array(ramp(24, 0, 1), 2, 3, 2, 2);

    @Test
    void concatAlongChannelsAndLegacyConcatDim() {
        INDArray a = array(new float[] {1, 2}, 1, 1, 1, 2);
        INDArray b = array(new float[] {3, 4, 5, 6}, 1, 2, 1, 2);
        INDArray y = run1(layer("name: 'c' type: 'Concat' bottom: 'a' bottom: 'b'"), a, b);
        assertShape(y, 1, 3, 1, 2);
        assertValues(new float[] {1, 2, 3, 4, 5, 6}, y, 0);
        INDArray z = run1(layer("name: 'c' type: 'Concat' bottom: 'a' bottom: 'b' concat_param { concat_dim: 3 }"), a, a);
        assertShape(z, 1, 1, 1, 4);
    }

    @Test
    void sliceAtPointsAndIntoEqualParts() {
        List<INDArray> parts = run(layer("name: 's' type: 'Slice' top: 'a' top: 'b' slice_param { axis: 1 slice_point: 1 }"), x);
        assertShape(parts.get(0), 2, 1, 2, 2);
        assertShape(parts.get(1), 2, 2, 2, 2);
        assertValues(new float[] {0, 1, 2, 3, 12, 13, 14, 15}, parts.get(0), 0);
        List<INDArray> halves = run(layer("name: 's' type: 'Slice' top: 'a' top: 'b' slice_param { axis: -1 }"), x);
        assertShape(halves.get(1), 2, 3, 2, 1);
        assertEquals(23f, Tensors.floats(halves.get(1))[11]);
    }

    @Test
    void splitGivesEveryTopTheSameValues() {
        List<INDArray> tops = run(layer("name: 's' type: 'Split' top: 'a' top: 'b' top: 'c'"), x);
        assertEquals(3, tops.size());
        assertValues(Tensors.floats(x), tops.get(2), 0);
    }

    @Test
    void flattenFromAxisToEndAxis() {
        assertShape(run1(layer("name: 'f' type: 'Flatten'"), x), 2, 12);
        assertShape(run1(layer("name: 'f' type: 'Flatten' flatten_param { axis: 1 end_axis: 2 }"), x), 2, 6, 2);
    }

    @Test
    void reshapeCopiesZerosAndInfersMinusOne() {
        INDArray y = run1(layer("name: 'r' type: 'Reshape' reshape_param { shape { dim: 0 dim: -1 dim: 2 } }"), x);
        assertShape(y, 2, 6, 2);
        assertValues(Tensors.floats(x), y, 0);
        INDArray z = run1(layer("name: 'r' type: 'Reshape' reshape_param { shape { dim: 3 dim: 1 } axis: 1 num_axes: 1 }"), x);
        assertShape(z, 2, 3, 1, 2, 2);
        INDArray tail = run1(layer("name: 'r' type: 'Reshape' reshape_param { shape { dim: 1 } axis: -1 num_axes: 0 }"), x);
        assertShape(tail, 2, 3, 2, 2, 1);
    }

    @Test
    void cropCutsToTheSecondBottomFromAxisWithOffsets() {
        INDArray big = array(ramp(16, 0, 1), 1, 1, 4, 4);
        INDArray like = array(new float[4], 1, 1, 2, 2);
        INDArray y = run1(layer("name: 'c' type: 'Crop' bottom: 'x' bottom: 'like' crop_param { offset: 1 offset: 2 }"), big, like);
        assertShape(y, 1, 1, 2, 2);
        assertValues(new float[] {6, 7, 10, 11}, y, 0);
        INDArray same = run1(layer("name: 'c' type: 'Crop' bottom: 'x' bottom: 'like' crop_param { offset: 1 }"), big, like);
        assertValues(new float[] {5, 6, 9, 10}, same, 0);
    }

    @Test
    void tileRepeatsTheAxesFromItsAxisOn() {
        // [1, 2, 2]: tiled twice along axis 1 repeats the whole 2x2 block; along axis 2 each row
        INDArray x = array(new float[] {1, 2, 3, 4}, 1, 2, 2);
        INDArray y = run1(layer("name: 't' type: 'Tile' tile_param { tiles: 2 }"), x);
        assertShape(y, 1, 4, 2);
        assertValues(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, y, 0);
        INDArray z = run1(layer("name: 't' type: 'Tile' tile_param { axis: -1 tiles: 3 }"), x);
        assertShape(z, 1, 2, 6);
        assertValues(new float[] {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, z, 0);
    }
}
