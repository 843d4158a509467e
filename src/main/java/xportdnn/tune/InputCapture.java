package xportdnn.tune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;

/**
 * Keeps, during one forward pass (float engine or simulator), the value each tuned convolution reads: the last
 * value its bottom blob was given by a layer before it in net order (so an in-place ReLU on that blob counts, and
 * a layer after the convolution writing the same blob does not).
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

    @Override
    public void onOutput(Layer layer, List<INDArray> tops) {
        int index = order.get(layer.name());
        for (Reader r : readers) {
            int top = layer.tops().indexOf(r.blob());
            if (top >= 0 && index < r.index()) {
                values.put(r.layer(), Tensors.floats(tops.get(top)));
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
