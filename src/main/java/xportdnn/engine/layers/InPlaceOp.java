package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer whose single top has its first bottom's shape and is computed by rewriting a copy of that bottom:
 * {@link #forward} rewrites a kept buffer, {@link #forwardInPlace} the bottom itself.
 */
abstract class InPlaceOp implements LayerOp {

    private final Buffers buffers = new Buffers();

    /**
     * Turns {@code y}, which holds the values of {@code bottoms.get(0)} (and may be that array), into the top.
     * Anything computed from the first bottom must be computed from {@code y} before {@code y} is changed.
     */
    abstract INDArray rewrite(INDArray y, List<INDArray> bottoms);

    /**
     * True when {@link #rewrite} maps every value on its own, whatever the array's shape: such an op rewrites
     * channels-last memory directly rather than through a channels-first copy.
     */
    boolean elementwise() {
        return false;
    }

    @Override
    public final boolean takesChannelsLast() {
        return elementwise();
    }

    @Override
    public final List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        INDArray storage = elementwise() ? Tensors.channelsLastStorage(x) : null;
        if (storage != null) {
            return List.of(Tensors.channelsFirstView(rewrite(buffers.copy(0, storage), bottoms)));
        }
        return List.of(rewrite(buffers.copy(0, x), bottoms));
    }

    @Override
    public final List<INDArray> forwardInPlace(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        INDArray storage = elementwise() ? Tensors.channelsLastStorage(x) : null;
        if (storage != null) {
            return List.of(Tensors.channelsFirstView(rewrite(storage, bottoms)));
        }
        return Tensors.isDense(x) ? List.of(rewrite(x, bottoms)) : forward(bottoms);
    }
}
