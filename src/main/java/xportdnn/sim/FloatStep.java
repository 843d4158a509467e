package xportdnn.sim;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.LayerOp;
import xportdnn.engine.layers.Layers;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;

/**
 * A layer computed in float on the values of its inputs (codes dequantized) by the float engine's op: what the
 * runtime computes in software, and what the simulator does not model in integers.
 */
final class FloatStep implements SimStep {

    private final Layer layer;
    private final List<int[]> bottomShapes;
    private LayerOp op;

    /**
     * The float engine's op of {@code layer} over bottoms of {@code bottomShapes}, made when first run: the op holds
     * native copies of the weights (an InnerProduct's, transposed), and a simulator run only up to some layer (fast
     * finetune builds one per pass and runs it to the convolutions it tunes) never needs the classifier's. Made at
     * once, VGG-16's 494 MB of InnerProduct weights were copied per pass and freed only at some garbage collection.
     */
    FloatStep(Layer layer, List<int[]> bottomShapes) {
        this(layer, bottomShapes, null);
    }

    private FloatStep(Layer layer, List<int[]> bottomShapes, LayerOp op) {
        this.layer = layer;
        this.bottomShapes = bottomShapes;
        this.op = op;
    }

    private synchronized LayerOp op() {
        if (op == null) {
            op = Layers.create(layer, bottomShapes);
        }
        return op;
    }

    /** The op sharing this one's weights where it can, else built anew from the layer (its weights copied). */
    @Override
    public SimStep forShare() {
        LayerOp shared = op().sharingWeights();
        return new FloatStep(layer, bottomShapes, shared != null ? shared : Layers.create(layer, bottomShapes));
    }

    /** Frees the op's copy of the weights (unless shared from another step's op) and its buffers. */
    @Override
    public synchronized void close() {
        if (op != null) {
            op.close();
            op = null;
        }
    }

    /** Whether the op (and its copy of the weights) was made: only once the step ran or was shared. */
    boolean made() {
        return op != null;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        List<INDArray> in = new ArrayList<>(bottoms.size());
        for (SimTensor b : bottoms) {
            in.add(Tensors.of(b.values(), b.longShape()));
        }
        List<SimTensor> tops = new ArrayList<>();
        for (INDArray top : op().forward(in)) {
            int[] shape = java.util.Arrays.stream(top.shape()).mapToInt(Math::toIntExact).toArray();
            tops.add(SimTensor.ofValues(shape, Tensors.floats(top)));
        }
        // the tops are copied out (a Reshape's is a view of its input): the native inputs go now, not at some GC
        in.forEach(INDArray::close);
        return tops;
    }
}
