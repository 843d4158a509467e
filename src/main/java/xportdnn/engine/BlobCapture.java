package xportdnn.engine;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;

/**
 * Keeps a copy of one blob as it stands after the forward pass: the output of the last layer that writes it (for
 * a blob that in-place layers rewrite, the value after the last of them). Any blob can be read this way, not only
 * the ones {@link FloatEngine#forward} returns.
 */
public final class BlobCapture implements LayerObserver {

    private final String blob;
    private INDArray value;

    private BlobCapture(String blob) {
        this.blob = blob;
    }

    /**
     * Runs {@code engine} on {@code batch} images and returns blob {@code blob} after the pass (a copy the caller
     * owns); {@code observer} (may be null) sees every layer as usual.
     */
    public static INDArray forward(FloatEngine engine, float[] input, int batch, String blob, LayerObserver observer) {
        if (engine.outputNames().contains(blob)) {
            return engine.forward(input, batch, observer).get(blob);
        }
        BlobCapture capture = new BlobCapture(blob);
        engine.forward(input, batch, observer == null ? capture : (layer, tops) -> {
            observer.onOutput(layer, tops);
            capture.onOutput(layer, tops);
        });
        return capture.value;
    }

    @Override
    public void onOutput(Layer layer, List<INDArray> tops) {
        for (int t = 0; t < tops.size(); t++) {
            if (layer.tops().get(t).equals(blob)) {
                value = tops.get(t).dup(); // the engine reuses its arrays
            }
        }
    }
}
