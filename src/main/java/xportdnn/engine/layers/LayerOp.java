package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward computation of one Caffe layer in the TEST phase. Weights are prepared once when the op is built;
 * {@link #forward} reads its bottoms (float32, batch first) and returns its tops in the layer's top order. An op
 * may return arrays it keeps and overwrites on its next call, so a caller copies what it wants to keep.
 */
public interface LayerOp {

    /** Computes the tops without writing into any bottom. */
    List<INDArray> forward(List<INDArray> bottoms);

    /**
     * The same, but the op may write its first top into {@code bottoms.get(0)} and return that array. Called only
     * for a layer declared in place whose bottom nothing else refers to.
     */
    default List<INDArray> forwardInPlace(List<INDArray> bottoms) {
        return forward(bottoms);
    }

    /**
     * True when a top may share memory with a bottom (a view, a pass-through) or with state the op keeps: such
     * tops, and the bottoms they may alias, must never be written in place.
     */
    default boolean topsShareMemory() {
        return false;
    }

    /**
     * True when the op takes bottoms that are channels-first views of channels-last memory
     * ({@link Tensors#channelsFirstView}); {@link Layers#create} gives every other op dense C-ordered copies.
     */
    default boolean takesChannelsLast() {
        return false;
    }

    /**
     * At most how many float values per image the op allocates beside its tops: the copies it keeps from one pass
     * to the next and what ND4J or oneDNN allocate while it runs (0 for most ops). {@code FloatEngine} adds them to
     * the layer outputs when it checks, before a pass, that the pass fits in memory.
     */
    default long workspaceValuesPerImage() {
        return 0;
    }

    /**
     * An op computing the same on another thread at the same time, sharing this one's weights and with buffers of
     * its own (the op itself when it keeps none); null where the op does not offer it (its weights are small, or
     * it has none: build another with {@link Layers#create}).
     */
    default LayerOp sharingWeights() {
        return null;
    }

    /**
     * Frees the op's native arrays now rather than at some garbage collection, which native memory does not prompt:
     * the outputs it keeps from one pass to the next (a batch's activations), and large weights (an InnerProduct's)
     * unless it shares another op's ({@link #sharingWeights}; that one frees them). Weights small beside the outputs
     * are left to the collector, as are the arrays of ops that keep none (the default). The op is not run after.
     */
    default void close() {
    }
}
