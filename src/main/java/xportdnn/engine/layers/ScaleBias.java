package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.BiasParameter;
import xportdnn.model.proto.Caffe.ScaleParameter;

/**
 * Caffe's Scale and Bias layers: multiply by (Scale) and/or add (Bias, or Scale with {@code bias_term}) a tensor
 * that spans the bottom's axes {@code [axis, axis + num_axes)} and is broadcast over the others. The factor (or
 * the Bias layer's addend) is the second bottom when there is one, else a learned blob.
 */
final class ScaleBias extends InPlaceOp {

    private final String name;
    private final int axis;
    /** Number of axes the learned tensor spans; -1 means all from {@code axis} on. */
    private final int numAxes;
    private final boolean multiply;
    /** The learned factor (Scale with one bottom) or addend (Bias with one bottom), {@code [1, dim, 1]}, else null. */
    private final INDArray learned;
    /** Scale's learned bias when {@code bias_term} is set, {@code [1, dim, 1]}, else null. */
    private final INDArray bias;

    private ScaleBias(Layer layer, int axis, int numAxes, boolean multiply, float[] learned, float[] bias) {
        this.name = layer.name();
        this.axis = axis;
        this.numAxes = numAxes;
        this.multiply = multiply;
        this.learned = learned == null ? null : Tensors.of(learned, 1, learned.length, 1);
        this.bias = bias == null ? null : Tensors.of(bias, 1, bias.length, 1);
        if (numAxes < -1) {
            throw ModelException.inLayer(name, "num_axes must be -1 or more, got " + numAxes);
        }
    }

    static ScaleBias scale(Layer layer) {
        ScaleParameter p = layer.param().getScaleParam();
        boolean fromBottom = layer.bottoms().size() > 1;
        Layers.requireWeights(layer, (fromBottom ? 0 : 1) + (p.getBiasTerm() ? 1 : 0));
        List<Blob> w = layer.weights();
        float[] factor = fromBottom ? null : w.get(0).data();
        float[] bias = p.getBiasTerm() ? w.get(fromBottom ? 0 : 1).data() : null;
        return new ScaleBias(layer, p.getAxis(), p.getNumAxes(), true, factor, bias);
    }

    static ScaleBias bias(Layer layer) {
        BiasParameter p = layer.param().getBiasParam();
        boolean fromBottom = layer.bottoms().size() > 1;
        Layers.requireWeights(layer, fromBottom ? 0 : 1);
        return new ScaleBias(layer, p.getAxis(), p.getNumAxes(), false, fromBottom ? null : layer.weights().get(0).data(), null);
    }

    /**
     * Why a learned bias can miss a second bottom that spans the batch axis (axis 0): the bias was made with that
     * bottom's shape at the prototxt's batch, so the layer runs at that batch only, in Caffe too; or "".
     */
    private String batchBound(INDArray operand, int first, long batch) {
        if (operand == null || first != 0 || bias.length() % (operand.length() / batch) != 0) {
            return "";
        }
        long madeFor = bias.length() / (operand.length() / batch);
        return ": its second bottom spans the batch axis (axis 0), so its bias fits a batch of " + madeFor
                + " only and this pass runs " + batch + " (Caffe too runs it at that batch alone); give --batch "
                + madeFor;
    }

    @Override
    INDArray rewrite(INDArray y, List<INDArray> bottoms) {
        long[] shape = y.shape();
        INDArray operand = bottoms.size() > 1 ? bottoms.get(1) : null;
        // a scalar second bottom applies to everything (Caffe then takes axis 0)
        int first = operand != null && operand.length() == 1 ? 0 : Shapes.axis(name, "axis", axis, shape.length);
        int spanned = operand != null ? (operand.length() == 1 ? 0 : operand.rank())
                : numAxes == -1 ? shape.length - first : numAxes;
        if (first + spanned > shape.length) {
            throw ModelException.inLayer(name, "axes " + first + ".." + (first + spanned) + " exceed the " + shape.length
                    + "-D input");
        }
        long dim = Tensors.count(shape, first, first + spanned);
        INDArray values = operand != null ? operand.reshape('c', 1, operand.length(), 1) : learned;
        if (values.length() != dim) {
            throw ModelException.inLayer(name, "the " + (multiply ? "scale" : "bias") + " holds " + values.length()
                    + " values, the input's axes " + first + ".." + (first + spanned) + " hold " + dim);
        }
        // a view of y's own memory: [outer, dim, inner]
        INDArray view = y.reshape('c', Tensors.count(shape, 0, first), dim, Tensors.count(shape, first + spanned, shape.length));
        if (multiply) {
            view.muli(values);
        } else {
            view.addi(values);
        }
        if (bias != null) {
            if (bias.length() != dim) {
                throw ModelException.inLayer(name, "the bias holds " + bias.length() + " values, the scale " + dim
                        + batchBound(operand, first, shape[0]));
            }
            view.addi(bias);
        }
        return y;
    }
}
