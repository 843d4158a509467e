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

    /** The most values one blob may hold: Java arrays are indexed by int, and the VM reserves a few slots. */
    public static final int MAX_VALUES = Integer.MAX_VALUE - 8;

    /**
     * The product of dims [from, to) (1 when empty), saturating at Long.MAX_VALUE (or MIN_VALUE): with a handful of
     * dims near 2^31 a plain long product wraps around, and a wrapped count could pass a size check.
     */
    public static long count(int[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n = saturatedProduct(n, shape[i]);
        }
        return n;
    }

    /** {@code a * b}, or Long.MAX_VALUE / MIN_VALUE (by the sign of the true product) when it does not fit a long. */
    public static long saturatedProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    /** Refuses, naming the layer, a blob of {@code shape} that no array can hold; {@code what} says which blob. */
    static void requireArray(String layer, String what, int[] shape) {
        long n = count(shape, 0, shape.length);
        if (n > MAX_VALUES) {
            throw ModelException.inLayer(layer, what + " " + Blob.describe(shape) + " would hold "
                    + (n == Long.MAX_VALUE ? "more than 2^63" : n) + " values, more than one blob can hold ("
                    + MAX_VALUES + "); check the layer's kernel/stride/pad/dilation/num_output and the input size");
        }
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

    /**
     * A Caffe {@code uint32} setting (pad, kernel_size, stride, dilation, num_output, group, ...) as protobuf-java
     * gives it, a signed int: values from 2^31 on arrive negative; refuse them in words instead of computing with
     * them.
     */
    static int unsigned(String layer, String field, int value) {
        if (value < 0) {
            throw ModelException.inLayer(layer, field + " " + Integer.toUnsignedString(value) + " is too large (at most "
                    + Integer.MAX_VALUE + ")");
        }
        return value;
    }
}
