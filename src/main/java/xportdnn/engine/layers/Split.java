package xportdnn.engine.layers;

import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;

/** Caffe's Split: every top is the bottom (shared, since no layer writes into its input). */
final class Split implements LayerOp {

    private final int tops;

    Split(Layer layer) {
        tops = layer.tops().size();
    }

    @Override
    public boolean topsShareMemory() {
        return true; // every top is the bottom
    }

    @Override
    public boolean takesChannelsLast() {
        return true; // passes its bottom on as it is
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        return Collections.nCopies(tops, bottoms.get(0));
    }
}
