package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer whose single top has its first bottom's shape and is computed by rewriting a copy of that bottom:
 * {@link #forward} rewrites a kept buffer, {@link #forwardInPlace} the bottom itself. The buffer is the op's only
 * state: {@link #rewrite} reads its weights and keeps nothing, so another thread's op runs this one's rewrite on
 * the same weights ({@link #sharingWeights}).
 */
abstract class InPlaceOp implements LayerOp {

    private final Buffers buffers = new Buffers();
    private final DerivedView inputStorage = new DerivedView(Tensors::channelsLastStorage);
    private final DerivedView outputView = new DerivedView(Tensors::channelsFirstView);

    /**
     * Turns {@code y}, which holds the values of {@code bottoms.get(0)} (and may be that array), into the top.
     * Anything computed from the first bottom must be computed from {@code y} before {@code y} is changed. It
     * writes nothing but {@code y}: ops on other threads run it at the same time.
     */
    abstract INDArray rewrite(INDArray y, List<INDArray> bottoms);

    /**
     * True when {@link #rewrite} maps every value on its own, whatever the array's shape: such an op rewrites
     * channels-last memory directly rather than through a channels-first copy.
     */
    boolean elementwise() {
        return false;
    }

    /** An op running this one's rewrite, on its weights (the same arrays), with a buffer of its own. */
    @Override
    public final LayerOp sharingWeights() {
        return new Shared(weightsOwner());
    }

    /** The op whose rewrite and weights this one runs: itself, or the one it shares them with. */
    InPlaceOp weightsOwner() {
        return this;
    }

    @Override
    public final boolean takesChannelsLast() {
        return elementwise();
    }

    @Override
    public final List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        INDArray storage = elementwise() ? inputStorage.of(x) : null;
        if (storage != null) {
            return List.of(outputView.of(rewrite(buffers.copy(0, storage), bottoms)));
        }
        return List.of(rewrite(buffers.copy(0, x), bottoms));
    }

    @Override
    public final List<INDArray> forwardInPlace(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        INDArray storage = elementwise() ? inputStorage.of(x) : null;
        if (storage != null) {
            return List.of(outputView.of(rewrite(storage, bottoms)));
        }
        return Tensors.isDense(x) ? List.of(rewrite(x, bottoms)) : forward(bottoms);
    }

    /** Another thread's op: {@code owner}'s rewrite and weights, this op's buffer. */
    private static final class Shared extends InPlaceOp {

        private final InPlaceOp owner;

        Shared(InPlaceOp owner) {
            this.owner = owner;
        }

        @Override
        INDArray rewrite(INDArray y, List<INDArray> bottoms) {
            return owner.rewrite(y, bottoms);
        }

        @Override
        boolean elementwise() {
            return owner.elementwise();
        }

        @Override
        InPlaceOp weightsOwner() {
            return owner;
        }

        @Override
        public long workspaceValuesPerImage() {
            return owner.workspaceValuesPerImage();
        }

        @Override
        public boolean topsShareMemory() {
            return owner.topsShareMemory();
        }
    }

    @Override
    public void close() {
        buffers.close();
    }
}
