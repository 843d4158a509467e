package xportdnn.engine.layers;

import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.proto.Caffe.PowerParameter;

/** A layer that maps every value on its own (ReLU, Sigmoid, TanH, ELU, AbsVal, Power, and Dropout at test time). */
final class Activation extends InPlaceOp {

    /** Rewrites its argument in place and returns it. */
    private final UnaryOperator<INDArray> function;

    private Activation(UnaryOperator<INDArray> function) {
        this.function = function;
    }

    @Override
    INDArray rewrite(INDArray y, List<INDArray> bottoms) {
        return function.apply(y);
    }

    @Override
    boolean elementwise() {
        return true;
    }

    /**
     * {@code max(x, 0) + negative_slope * min(x, 0)}. The plain ReLU (slope 0, every ReLU of most nets) goes through
     * a kept {@link NativeCall}: on SqueezeNet's small blobs the op's set-up, not the arithmetic, is its cost.
     */
    static Activation relu(Layer layer) {
        float slope = layer.param().getReluParam().getNegativeSlope();
        if (slope != 0f) {
            return new Activation(y -> Transforms.leakyRelu(y, slope, false));
        }
        NativeCall relu = NativeCall.named("relu", 0.0);
        return new Activation(y -> {
            relu.run(y.length(), NativeCall.ONE_THREAD_MAX_VALUES, y, y);
            return y;
        });
    }

    static Activation sigmoid(Layer layer) {
        return new Activation(y -> Transforms.sigmoid(y, false));
    }

    static Activation tanh(Layer layer) {
        return new Activation(y -> Transforms.tanh(y, false));
    }

    /** Caffe's ELU: {@code max(x, 0) + alpha * (exp(min(x, 0)) - 1)}. */
    static Activation elu(Layer layer) {
        double alpha = layer.param().getEluParam().getAlpha();
        return new Activation(y -> {
            INDArray negative = Transforms.exp(Transforms.min(y, 0, true), false).subi(1).muli(alpha);
            return Transforms.max(y, 0, false).addi(negative);
        });
    }

    /** {@code (shift + scale * x) ^ power}; a constant when power or scale is 0, as in Caffe. */
    static Activation power(Layer layer) {
        PowerParameter p = layer.param().getPowerParam();
        double power = p.getPower();
        double scale = p.getScale();
        double shift = p.getShift();
        if (power == 0 || scale == 0) {
            double value = power == 0 ? 1 : Math.pow(shift, power);
            return new Activation(y -> y.assign(value));
        }
        return new Activation(y -> {
            y.muli(scale).addi(shift);
            return power == 1 ? y : Transforms.pow(y, power, false);
        });
    }

    /** Caffe's AbsVal: {@code |x|}. */
    static Activation absVal(Layer layer) {
        return new Activation(y -> Transforms.abs(y, false));
    }

    /** Dropout at test time: Caffe passes the values through unchanged. */
    static Activation identity(Layer layer) {
        return new Activation(y -> y);
    }
}
