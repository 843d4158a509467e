package xportdnn.tune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;

/**
 * Keeps, during one forward pass (float engine or simulator), the value each tuned convolution reads: the last
 * value its bottom blob was given by a layer before it in net order (so an in-place ReLU on that blob counts, and
 * a layer after the convolution writing the same blob does not), or the value a resumed pass started with
 * ({@link #seed}). So a pass may stop before the last reader ({@link #layersNeeded}).
 */
final class InputCapture implements LayerObserver {

    /** A convolution (at {@code index} in net order) that reads {@code blob}. */
    record Reader(String layer, String blob, int index) {
    }

    private final Map<String, Integer> order;
    private final List<Reader> readers;
    private final Map<String, float[]> values = new HashMap<>();

    /** @param order every layer's index in net order */
    InputCapture(Map<String, Integer> order, List<Reader> readers) {
        this.order = order;
        this.readers = readers;
    }

    /** How many layers (net order) a pass must run for every reader's input: those before the last reader. */
    static int layersNeeded(List<Reader> readers) {
        return readers.stream().mapToInt(Reader::index).max().orElse(0);
    }

    /**
     * The values a resumed pass starts with ({@code held} gives a blob's, or null when not held): what a reader
     * reads when no layer of the pass before it writes its blob. Read, never modified.
     */
    void seed(Function<String, float[]> held) {
        for (Reader r : readers) {
            float[] v = held.apply(r.blob());
            if (v != null) {
                values.put(r.layer(), v);
            }
        }
    }

    /** A float engine's layer output (its arrays are valid during the call only: the values read are copied). */
    @Override
    public void onOutput(Layer layer, List<INDArray> tops) {
        keep(layer, top -> Tensors.floats(tops.get(top)));
    }

    /**
     * A simulator step's output, as a {@link xportdnn.sim.FixedPointNet.LazyValuesObserver} sees it (the
     * simulator's own arrays: the values read are copied).
     */
    void onValues(Layer layer, IntFunction<float[]> tops) {
        keep(layer, top -> tops.apply(top).clone());
    }

    private void keep(Layer layer, IntFunction<float[]> top) {
        int index = order.get(layer.name());
        for (Reader r : readers) {
            int t = layer.tops().indexOf(r.blob());
            if (t >= 0 && index < r.index()) {
                values.put(r.layer(), top.apply(t));
            }
        }
    }

    /** The input the convolution named {@code layer} read in this pass, C-ordered. */
    float[] of(String layer) {
        float[] v = values.get(layer);
        if (v == null) {
            throw new IllegalStateException("no input seen for layer '" + layer + "'");
        }
        return v;
    }
}
