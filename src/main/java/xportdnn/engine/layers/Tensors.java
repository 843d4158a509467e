package xportdnn.engine.layers;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.model.Blob;

/** Conversions between INDArrays, Java float arrays and model blobs, plus Caffe's shape arithmetic. */
public final class Tensors {

    private Tensors() {
    }

    /** A float32 C-order array holding a copy of {@code data}. */
    public static INDArray of(float[] data, long... shape) {
        return Nd4j.create(data, shape, DataType.FLOAT);
    }

    /** The blob's values as an array of the given shape (the blob's own, possibly legacy 4-D, shape is ignored). */
    static INDArray of(Blob blob, long... shape) {
        return of(blob.data(), shape);
    }

    /** The values in C order, copied into a Java array. */
    public static float[] floats(INDArray a) {
        float[] all = dense(a).data().asFloat();
        return all.length == a.length() ? all : Arrays.copyOf(all, (int) a.length());
    }

    /** A C-ordered array that ops reading raw buffers can take: {@code a} itself when it already is one. */
    static INDArray dense(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }

    /** Product of all dims. */
    public static long count(long[] shape) {
        return count(shape, 0, shape.length);
    }

    /** Product of {@code shape[from..to)}. */
    static long count(long[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }
}
