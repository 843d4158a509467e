package xportdnn.model;

import java.util.Arrays;
import xportdnn.model.proto.Caffe.BlobShape;

/** Small helpers on int[] shapes with Caffe's axis conventions. */
public final class Shapes {

    private Shapes() {
    }

    /** Caffe's CanonicalAxisIndex: a negative axis counts from the end. */
    public static int axis(String layer, String what, int axis, int numAxes) {
        if (axis < -numAxes || axis >= numAxes) {
            throw ModelException.inLayer(layer, what + " " + axis + " is out of range for a " + numAxes + "-axis input");
        }
        return axis < 0 ? axis + numAxes : axis;
    }

    /** The product of dims [from, to) (1 when empty). */
    public static long count(int[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }

    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    public static int[] of(BlobShape shape, String layer) {
        int[] dims = new int[shape.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = toInt(shape.getDim(i), layer);
        }
        return dims;
    }

    static int toInt(long dim, String layer) {
        if (dim < Integer.MIN_VALUE || dim > Integer.MAX_VALUE) {
            throw ModelException.inLayer(layer, "dimension " + dim + " is too large");
        }
        return (int) dim;
    }
}
