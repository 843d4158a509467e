package xportdnn.engine.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
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

    /**
     * The values in C order, copied into a Java array. A C-ordered copy made on the way (of a view) is freed at once
     * rather than left to the garbage collector: ND4J's native memory counts against no Java heap, so garbage there
     * does not make the collector run.
     */
    public static float[] floats(INDArray a) {
        int n = Math.toIntExact(a.length());
        return copy(a, new float[n], n);
    }

    /**
     * The values in C order (as {@link #floats(INDArray)}), copied into the start of {@code buffer} when it has room
     * for them (one buffer kept for arrays of every size), else into a new array of exactly their length: the first
     * {@code a.length()} values of the array returned are theirs.
     */
    public static float[] floatsInto(INDArray a, float[] buffer) {
        int n = Math.toIntExact(a.length());
        return copy(a, buffer != null && buffer.length >= n ? buffer : new float[n], n);
    }

    private static float[] copy(INDArray a, float[] out, int n) {
        INDArray storage = channelsLastStorage(a);
        if (storage != null && storage.dataType() == DataType.FLOAT) {
            long[] s = a.shape();
            ChannelsLastRead.intoChannelsFirst(storage.data().asNioFloat(), (int) s[0], (int) (s[2] * s[3]),
                    (int) s[1], out);
            return out;
        }
        INDArray d = dense(a);
        try {
            if (d.dataType() == DataType.FLOAT) {
                d.data().asNioFloat().get(out, 0, n);
            } else {
                System.arraycopy(d.data().asFloat(), 0, out, 0, n);
            }
        } finally {
            if (d != a) {
                d.close();
            }
        }
        return out;
    }

    /** A C-ordered array whose raw buffer can be read: {@code a} itself when it already is one. */
    private static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.dup('c');
    }

    /**
     * True when {@code a} is its whole buffer in C order. (ND4J reports a permuted array as C-ordered and not a
     * view, so the strides have to be checked too.)
     */
    static boolean isDense(INDArray a) {
        return !a.isView() && a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a);
    }

    /**
     * The {@code [N, H, W, C]} array behind {@code x} when {@code x} is a {@code [N, C, H, W]} view of channels-last
     * memory ({@link #channelsFirstView}), else null. A dense channels-first array is never taken for one.
     */
    static INDArray channelsLastStorage(INDArray x) {
        if (x.rank() != 4 || isDense(x) || x.isView() || x.offset() != 0) {
            return null;
        }
        INDArray storage = x.permute(0, 2, 3, 1);
        return Shape.hasDefaultStridesForShape(storage) ? storage : null;
    }

    /**
     * The {@code [N, C, H, W]} view of channels-last {@code [N, H, W, C]} memory. The engine's convolutions and
     * poolings compute channels-last (oneDNN's preferred layout on this CPU: no reorders around each call), and
     * hand this view on so that every layer still sees Caffe's axes.
     */
    static INDArray channelsFirstView(INDArray storage) {
        return storage.permute(0, 3, 1, 2);
    }

    /** The values of one image of a blob of this shape (batch first). */
    static long valuesPerImage(int[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
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
