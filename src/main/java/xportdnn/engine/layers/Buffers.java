package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arrays one op writes its results into, kept from one forward to the next while the shape repeats:
 * allocating (and first touching) fresh off-heap memory costs more than most layers' arithmetic.
 */
final class Buffers {

    private final Map<Integer, INDArray> slots = new HashMap<>();

    /** Slot {@code slot}'s array of the given shape; its previous contents are undefined. */
    INDArray get(int slot, long... shape) {
        INDArray b = slots.get(slot);
        if (b == null || !Arrays.equals(b.shape(), shape)) {
            b = Nd4j.createUninitialized(DataType.FLOAT, shape.clone());
            slots.put(slot, b);
        }
        return b;
    }

    /** Frees every slot's array. */
    void close() {
        slots.values().forEach(INDArray::close);
        slots.clear();
    }

    /** A copy of {@code x} in slot {@code slot}. */
    INDArray copy(int slot, INDArray x) {
        return get(slot, x.shape()).assign(x);
    }

    /**
     * {@code x} itself when it is a dense C-ordered array ({@link Tensors#isDense}), else a copy of it in slot
     * {@code slot}: for ops whose native calls read raw buffers. A fresh copy per call would be native garbage
     * that only the collector frees, and it looks late (ND4J's arrays are small objects on the heap).
     */
    INDArray dense(int slot, INDArray x) {
        return Tensors.isDense(x) ? x : copy(slot, x);
    }
}
