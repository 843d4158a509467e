package xportdnn.engine.layers;

import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.ClipParameter;
import xportdnn.model.proto.Caffe.ExpParameter;
import xportdnn.model.proto.Caffe.LogParameter;
import xportdnn.model.proto.Caffe.PowerParameter;

/**
 * A layer that maps every value on its own (ReLU, Sigmoid, TanH, ELU, AbsVal, Power, BNLL, Exp, Log, Threshold,
 * Clip, and Dropout at test time).
 */
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
     * a kept {@link NativeCall}: on SqueezeNet's small blobs the op's set-up, not the arithmetic, is its cost. One
     * per thread: ops on other threads run this rewrite ({@link #sharingWeights}), and a call's arrays are set on
     * its native context (shared, two shares of a batch had computed on each other's arrays).
     */
    static Activation relu(Layer layer) {
        float slope = layer.param().getReluParam().getNegativeSlope();
        if (slope != 0f) {
            return new Activation(y -> Transforms.leakyRelu(y, slope, false));
        }
        ThreadLocal<NativeCall> relu = ThreadLocal.withInitial(() -> NativeCall.named("relu", 0.0));
        return new Activation(y -> {
            relu.get().run(y.length(), NativeCall.ONE_THREAD_MAX_VALUES, y, y);
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

    /** Caffe's BNLL: {@code log(1 + exp(x))}, as {@code max(x, 0) + log(1 + exp(-|x|))} (Caffe's two branches in one). */
    static Activation bnll(Layer layer) {
        return new Activation(y -> {
            INDArray tail = Transforms.log(Transforms.exp(Transforms.abs(y, true).negi(), false).addi(1), false);
            return Transforms.max(y, 0, false).addi(tail);
        });
    }

    /**
     * Caffe's Exp: {@code base ^ (shift + scale * x)}, base -1 meaning e, computed as Caffe does:
     * {@code base^shift * exp(ln(base) * scale * x)}.
     */
    static Activation exp(Layer layer) {
        ExpParameter p = layer.param().getExpParam();
        double logBase = logBase(layer, p.getBase());
        double inner = logBase * p.getScale();
        double outer = p.getShift() == 0 ? 1 : Math.exp(logBase * p.getShift());
        return new Activation(y -> Transforms.exp(y.muli(inner), false).muli(outer));
    }

    /** Caffe's Log: {@code log_base(shift + scale * x)}, base -1 meaning e. */
    static Activation log(Layer layer) {
        LogParameter p = layer.param().getLogParam();
        double baseScale = 1 / logBase(layer, p.getBase());
        if (Double.isInfinite(baseScale)) {
            throw ModelException.inLayer(layer.name(), "log_param.base must not be 1");
        }
        double scale = p.getScale();
        double shift = p.getShift();
        return new Activation(y -> Transforms.log(y.muli(scale).addi(shift), false).muli(baseScale));
    }

    /** The natural log of an Exp or Log layer's base: 1 for Caffe's -1 (e), else base > 0 is required. */
    private static double logBase(Layer layer, float base) {
        if (base == -1) {
            return 1;
        }
        if (!(base > 0) || Float.isInfinite(base)) {
            throw ModelException.inLayer(layer.name(), "base must be -1 (e) or a positive number, got " + base);
        }
        return Math.log(base);
    }

    /** Caffe's Threshold: 1 where {@code x > threshold}, else 0. */
    static Activation threshold(Layer layer) {
        float threshold = layer.param().getThresholdParam().getThreshold();
        return new Activation(y -> y.assign(y.gt(threshold).castTo(y.dataType())));
    }

    /** Caffe's Clip: {@code max(min, min(x, max))}; both bounds are required, as in Caffe's caffe.proto. */
    static Activation clip(Layer layer) {
        ClipParameter p = layer.param().getClipParam();
        if (!p.hasMin() || !p.hasMax()) {
            throw ModelException.inLayer(layer.name(), "clip_param needs both min and max");
        }
        float min = p.getMin();
        float max = p.getMax();
        return new Activation(y -> Transforms.max(Transforms.min(y, max, false), min, false));
    }

    /** Dropout at test time: Caffe passes the values through unchanged. */
    static Activation identity(Layer layer) {
        return new Activation(y -> y);
    }
}
