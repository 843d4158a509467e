package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.TextFormat;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.proto.Caffe.LayerParameter;

/** Small helpers for layer tests: a layer from prototxt text, arrays from literals, and value checks. */
final class Cases {

    private Cases() {
    }

    /** A layer from its prototxt body, e.g. {@code name: "p" type: "Pooling" pooling_param { ... }}. */
    static Layer layer(String prototxt, Blob... weights) {
        try {
            LayerParameter.Builder b = LayerParameter.newBuilder();
            TextFormat.merge(prototxt, b);
            if (b.getBottomCount() == 0) {
                b.addBottom("in");
            }
            if (b.getTopCount() == 0) {
                b.addTop("out");
            }
            return new Layer(b.build(), List.of(weights), List.of());
        } catch (TextFormat.ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Blob blob(float... values) {
        return new Blob(new int[] {values.length}, values);
    }

    static Blob blob(int[] shape, float... values) {
        return new Blob(shape, values);
    }

    static INDArray array(float[] values, long... shape) {
        return Tensors.of(values, shape);
    }

    /** {@code 0, 1, ..., n-1} scaled and shifted: {@code start + i * step}. */
    static float[] ramp(int n, float start, float step) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return v;
    }

    /** The layer's op for bottoms of the given arrays' shapes, run on them. */
    static List<INDArray> run(Layer layer, INDArray... bottoms) {
        List<int[]> shapes = Arrays.stream(bottoms).map(Layers::intShape).toList();
        return Layers.create(layer, shapes).forward(List.of(bottoms));
    }

    /** The layer's op for 4-D bottoms of shape {@code shape}. */
    static LayerOp create(Layer layer, int... shape) {
        return Layers.create(layer, java.util.Collections.nCopies(layer.bottoms().size(), shape));
    }

    static INDArray run1(Layer layer, INDArray... bottoms) {
        List<INDArray> tops = run(layer, bottoms);
        assertEquals(1, tops.size());
        return tops.get(0);
    }

    static void assertShape(INDArray actual, long... shape) {
        assertArrayEquals(shape, actual.shape(), () -> "shape " + Arrays.toString(actual.shape()));
    }

    static void assertValues(float[] expected, INDArray actual, double tolerance) {
        float[] got = Tensors.floats(actual);
        assertEquals(expected.length, got.length, "value count");
        for (int i = 0; i < expected.length; i++) {
            double tol = tolerance * Math.max(1, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - got[i]) <= tol)) {
                throw new AssertionError("value " + i + ": expected " + expected[i] + " got " + got[i]
                        + "\nexpected " + Arrays.toString(expected) + "\nactual   " + Arrays.toString(got));
            }
        }
    }
}
