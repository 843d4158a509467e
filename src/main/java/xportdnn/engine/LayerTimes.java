package xportdnn.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;

/**
 * A {@link LayerObserver} that adds up the wall time each layer takes: the time from the previous layer's output
 * (or from {@link #startPass}) to this layer's. ND4J's CPU ops finish before they return, so that interval is the
 * layer's own computation plus the engine's bookkeeping for it.
 */
public final class LayerTimes implements LayerObserver {

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();
    private long last;

    /** Call right before each {@link FloatEngine#forward} that this observer times. */
    public void startPass() {
        last = System.nanoTime();
    }

    @Override
    public void onOutput(Layer layer, List<INDArray> tops) {
        lap(layer);
    }

    /**
     * Charges the time since the previous output to {@code layer}, which has just written its output: for an engine
     * that can report a layer done without handing over its outputs (the simulator, whose outputs would have to be
     * dequantized into arrays first, at a cost that is not the layer's).
     */
    public void lap(Layer layer) {
        long now = System.nanoTime();
        nanos.merge(layer.name(), now - last, Long::sum);
        types.putIfAbsent(layer.name(), layer.type());
        last = now;
    }

    /** Total nanoseconds per layer name, in execution order. */
    public Map<String, Long> totals() {
        return Collections.unmodifiableMap(nanos);
    }

    public String type(String layer) {
        return types.get(layer);
    }
}
