package xportdnn.engine.layers;

import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.proto.Caffe.PowerParameter;

/** A layer that maps every value on its own, always into a new array (ReLU, Sigmoid, TanH, ELU, Power, Dropout). */
final class Activation implements LayerOp {

    private final UnaryOperator<INDArray> function;

    private Activation(UnaryOperator<INDArray> function) {
        this.function = function;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        return List.of(function.apply(bottoms.get(0)));
    }

    /** {@code max(x, 0) + negative_slope * min(x, 0)}. */
    static Activation relu(Layer layer) {
        float slope = layer.param().getReluParam().getNegativeSlope();
        return new Activation(slope == 0f ? x -> Transforms.relu(x, true) : x -> Transforms.leakyRelu(x, slope, true));
    }

    static Activation sigmoid(Layer layer) {
        return new Activation(x -> Transforms.sigmoid(x, true));
    }

    static Activation tanh(Layer layer) {
        return new Activation(x -> Transforms.tanh(x, true));
    }

    /** Caffe's ELU: {@code max(x, 0) + alpha * (exp(min(x, 0)) - 1)}. */
    static Activation elu(Layer layer) {
        double alpha = layer.param().getEluParam().getAlpha();
        return new Activation(x -> Transforms.max(x, 0, true)
                .addi(Transforms.exp(Transforms.min(x, 0, true), false).subi(1).muli(alpha)));
    }

    /** {@code (shift + scale * x) ^ power}; a constant when power or scale is 0, as in Caffe. */
    static Activation power(Layer layer) {
        PowerParameter p = layer.param().getPowerParam();
        double power = p.getPower();
        double scale = p.getScale();
        double shift = p.getShift();
        if (power == 0 || scale == 0) {
            double value = power == 0 ? 1 : Math.pow(shift, power);
            return new Activation(x -> x.ulike().assign(value));
        }
        return new Activation(x -> {
            INDArray y = x.mul(scale).addi(shift);
            return power == 1 ? y : Transforms.pow(y, power, false);
        });
    }

    /** Dropout at test time: Caffe passes the values through unchanged. */
    static Activation identity(Layer layer) {
        return new Activation(x -> x);
    }
}
