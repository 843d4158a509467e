package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs an op that reads its bottoms as dense channels-first (C-ordered) arrays: a bottom that is not one (held
 * channels-last, or another view: a slice of the batch) is copied into a kept buffer first, a dense one is passed
 * as it is. An in-place op then rewrites that copy. The ops it runs take their bottoms as they come.
 */
final class ChannelsFirstInputs implements LayerOp {

    private final LayerOp op;
    private final Buffers buffers = new Buffers();
    /** A copy of every bottom, as if none were dense (which of them are is known only while running). */
    private final long copyValues;
    private final int bottoms;

    ChannelsFirstInputs(LayerOp op, List<int[]> bottomShapes) {
        this(op, bottomShapes.stream().mapToLong(Tensors::valuesPerImage).sum(), bottomShapes.size());
    }

    private ChannelsFirstInputs(LayerOp op, long copyValues, int bottoms) {
        this.op = op;
        this.copyValues = copyValues;
        this.bottoms = bottoms;
    }

    @Override
    public LayerOp sharingWeights() {
        LayerOp shared = op.sharingWeights();
        return shared == null ? null : new ChannelsFirstInputs(shared, copyValues, bottoms);
    }

    @Override
    public long workspaceValuesPerImage() {
        return op.workspaceValuesPerImage() + copyValues;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        return op.forward(channelsFirst(bottoms));
    }

    @Override
    public List<INDArray> forwardInPlace(List<INDArray> bottoms) {
        return op.forwardInPlace(channelsFirst(bottoms));
    }

    @Override
    public boolean topsShareMemory() {
        return op.topsShareMemory();
    }

    @Override
    public void close() {
        buffers.close();
        op.close();
    }

    private List<INDArray> channelsFirst(List<INDArray> bottoms) {
        List<INDArray> converted = new ArrayList<>(bottoms.size());
        for (int i = 0; i < bottoms.size(); i++) {
            converted.add(buffers.dense(i, bottoms.get(i)));
        }
        return converted;
    }
}
