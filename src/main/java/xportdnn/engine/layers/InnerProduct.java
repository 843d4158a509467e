package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.InnerProductParameter;

/**
 * Caffe's InnerProduct: the bottom is flattened from {@code axis} on into rows of K values; each row is multiplied
 * by the weights ({@code [N, K]}, or {@code [K, N]} when {@code transpose}) and the bias is added. The top keeps
 * the bottom's leading axes and ends with N.
 */
final class InnerProduct implements LayerOp {

    private final String name;
    private final int axis;
    private final int outputs;
    private final long inputs;
    /** The weights as {@code [K, N]}, ready to multiply rows on the right. */
    private final INDArray weightsKN;
    private final INDArray bias;
    private final Buffers buffers = new Buffers();
    /** Whether the weights and bias are this op's own, not another's it shares. */
    private final boolean ownsWeights;

    InnerProduct(Layer layer) {
        name = layer.name();
        InnerProductParameter p = layer.param().getInnerProductParam();
        axis = p.getAxis();
        outputs = p.getNumOutput();
        if (outputs <= 0) {
            throw ModelException.inLayer(name, "num_output must be positive");
        }
        Layers.requireWeights(layer, p.getBiasTerm() ? 2 : 1);
        long count = layer.weights().get(0).count();
        if (count % outputs != 0) {
            throw ModelException.inLayer(name, "weight blob holds " + count + " values, not a multiple of num_output " + outputs);
        }
        inputs = count / outputs;
        if (p.getTranspose()) {
            weightsKN = Tensors.of(layer.weights().get(0), inputs, outputs);
        } else {
            INDArray stored = Tensors.of(layer.weights().get(0), outputs, inputs);
            weightsKN = stored.transpose().dup('c');
            stored.close(); // now, not at some collection: as large as the weights (VGG-16's fc6: 411 MB)
        }
        bias = p.getBiasTerm() ? Tensors.of(Layers.weight(layer, 1, outputs), 1, outputs) : null;
        ownsWeights = true;
    }

    /** Another op of the same weights and bias (the same arrays), its output buffer its own. */
    private InnerProduct(InnerProduct from) {
        name = from.name;
        axis = from.axis;
        outputs = from.outputs;
        inputs = from.inputs;
        weightsKN = from.weightsKN;
        bias = from.bias;
        ownsWeights = false;
    }

    @Override
    public LayerOp sharingWeights() {
        return new InnerProduct(this);
    }

    @Override
    public void close() {
        buffers.close();
        if (ownsWeights) {
            weightsKN.close();
            if (bias != null) {
                bias.close();
            }
        }
    }

    /** The weights as {@code [K, N]}: read them, never modify them. */
    INDArray weights() {
        return weightsKN;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        long[] shape = x.shape();
        int a = Shapes.axis(name, "axis", axis, shape.length);
        long k = Tensors.count(shape, a, shape.length);
        if (k != inputs) {
            throw ModelException.inLayer(name, "input has " + k + " values per row from axis " + a + ", the weights expect " + inputs);
        }
        INDArray rows = x.reshape('c', Tensors.count(shape, 0, a), k);
        INDArray y = rows.mmul(weightsKN, buffers.get(0, rows.size(0), outputs));
        if (bias != null) {
            y.addiRowVector(bias);
        }
        long[] top = Arrays.copyOf(shape, a + 1);
        top[a] = outputs;
        return List.of(y.reshape('c', top));
    }
}
