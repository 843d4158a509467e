package xportdnn.engine.layers;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An array derived from one an op is handed on every pass (a permuted or reshaped view of it, or null where it has
 * none), made once and handed out again while the op is handed the same array object: the engine's ops keep their
 * output arrays from pass to pass, so their views repeat too. Making an NDArray is not free: ND4J builds a native
 * shape buffer, and JavaCPP reads the process's resident size to check its memory limit. Made afresh by every layer
 * (about five per layer), that took about a tenth of a batch-1 SqueezeNet pass (JFR's native-method samples,
 * 2026-12-07). Not for concurrent use: each op keeps its own.
 */
final class DerivedView {

    private final UnaryOperator<INDArray> derive;
    private INDArray source;
    private INDArray derived;

    DerivedView(UnaryOperator<INDArray> derive) {
        this.derive = derive;
    }

    /** {@code count} of them deriving the same way: one per bottom of an op. */
    static List<DerivedView> each(int count, UnaryOperator<INDArray> derive) {
        return IntStream.range(0, count).mapToObj(i -> new DerivedView(derive)).toList();
    }

    /** {@code derive(x)}, from the last call when {@code x} is the array it was made from. */
    INDArray of(INDArray x) {
        if (x != source) {
            derived = derive.apply(x);
            source = x;
        }
        return derived;
    }
}
