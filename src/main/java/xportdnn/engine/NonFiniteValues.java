package xportdnn.engine;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;

/**
 * Infinite and NaN values in the float net, and the one-line error that names where they first appear. With finite
 * weights (the loader refuses others) and finite inputs they can only come from an overflow of float32: weights
 * or activations so large that a product or sum passes 3.4e38. No output built on them means anything, so every
 * command refuses them instead of printing NaN scores or a threshold of infinity.
 */
public final class NonFiniteValues {

    private NonFiniteValues() {
    }

    /** Whether any of the values is infinite or NaN. */
    private static boolean any(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any element of the arrays is infinite or NaN. */
    static boolean any(List<INDArray> arrays) {
        for (INDArray a : arrays) {
            if (any(Tensors.floats(a))) {
                return true;
            }
        }
        return false;
    }

    /** The error for the first layer whose output holds such values (its inputs, by then, were finite). */
    public static ModelException firstIn(Layer layer) {
        if (layer.layerType() == LayerType.INPUT) {
            return new ModelException("input blob '" + layer.tops().get(0) + "' holds infinite or NaN values;"
                    + " an input must be finite");
        }
        return ModelException.inLayer(layer.name(), "float32 overflows: finite inputs give infinite or NaN outputs"
                + " (its weights or the values reaching it are too large; expected a net whose values stay below 3.4e38)");
    }
}
