package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A layer whose top is its bottom's values in C order under another shape (Flatten, Reshape): a view, no copy. */
abstract class ShapeView implements LayerOp {

    @Override
    public final boolean topsShareMemory() {
        return true; // a view of the bottom
    }

    @Override
    public final List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        return List.of(x.reshape('c', topShape(x.shape()))); // x is dense (ChannelsFirstInputs)
    }

    /** The top's shape for a bottom of shape {@code shape}. */
    abstract long[] topShape(long[] shape);
}
