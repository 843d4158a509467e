package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward computation of one Caffe layer in the TEST phase. Weights are prepared once when the op is built;
 * {@link #forward} reads its bottoms (float32, batch first) and returns freshly computed tops in the layer's top
 * order. It never writes into a bottom, so a layer declared in place still leaves its input observable.
 */
@FunctionalInterface
public interface LayerOp {

    List<INDArray> forward(List<INDArray> bottoms);
}
