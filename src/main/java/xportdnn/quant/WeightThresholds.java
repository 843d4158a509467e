package xportdnn.quant;

import java.util.function.BiFunction;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;

/**
 * Xilinx-mode weight thresholds ({@code th_params}): the largest |w| of each output channel, the range the
 * runtime quantizes that channel's weights over. Caffe's weight layouts: Convolution (out, in/group, kh, kw);
 * Deconvolution (in, out/group, kh, kw), so output channel {@code g*(out/group) + j} is column j of the input
 * channels of group g; InnerProduct (out, in), or (in, out) with {@code transpose}; Normalize (SSD) has one scale
 * per channel (or one when {@code channel_shared}), whose magnitude is its threshold.
 */
public final class WeightThresholds {

    private WeightThresholds() {
    }

    /** Whether {@link #of} applies to the layer's type. */
    public static boolean applies(Layer layer) {
        return perChannel(layer.layerType()) != null;
    }

    /** How a type's weights divide into output channels; null for the types without weight thresholds. */
    private static BiFunction<Layer, Blob, float[]> perChannel(LayerType type) {
        return switch (type) {
            case CONVOLUTION -> (layer, w) -> leadingAxis(w, w.shape()[0]);
            case DECONVOLUTION -> (layer, w) -> deconvolution(w, layer.param().getConvolutionParam().getGroup());
            case INNER_PRODUCT -> (layer, w) -> layer.param().getInnerProductParam().getTranspose()
                    ? trailingAxis(w, w.shape()[w.shape().length - 1]) : leadingAxis(w, w.shape()[0]);
            case NORMALIZE -> (layer, w) -> leadingAxis(w, w.count());
            case INPUT, POOLING, RELU, PRELU, SIGMOID, TANH, ELU, ABSVAL, BNLL, POWER, EXP, LOG, THRESHOLD, CLIP,
                 BATCH_NORM, SCALE, BIAS, SOFTMAX, LRN, DROPOUT, MVN, SPLIT, SLICE, ELTWISE, CONCAT, FLATTEN, RESHAPE,
                 PERMUTE, CROP, PRIOR_BOX, DETECTION_OUTPUT, ARG_MAX, TILE, REDUCTION, UNKNOWN -> null;
        };
    }

    /**
     * The per-output-channel thresholds of the layer's first learned blob.
     *
     * @throws ModelException when the layer has no learned weights or they are not finite
     */
    public static float[] of(Layer layer) {
        if (layer.weights().isEmpty()) {
            throw ModelException.inLayer(layer.name(), "the " + layer.type()
                    + " has no learned weights (the Xilinx mode needs the caffemodel)");
        }
        return of(layer, layer.weights().get(0));
    }

    /** The same over given weights in the layer's layout, e.g. a convolution's weights fused with BatchNorm. */
    public static float[] of(Layer layer, Blob w) {
        BiFunction<Layer, Blob, float[]> perChannel = perChannel(layer.layerType());
        if (perChannel == null) {
            throw new IllegalArgumentException(layer.type() + " has no weight thresholds");
        }
        float[] th = perChannel.apply(layer, w);
        for (float t : th) {
            if (!Float.isFinite(t)) {
                throw ModelException.inLayer(layer.name(), "the " + layer.type() + " weights contain " + t);
            }
        }
        return th;
    }

    /** Channel c owns the c-th contiguous slice of the data. */
    private static float[] leadingAxis(Blob w, int channels) {
        float[] th = new float[channels];
        int per = w.count() / channels;
        for (int i = 0; i < w.count(); i++) {
            th[i / per] = maxAbs(th[i / per], w.data()[i]);
        }
        return th;
    }

    /** Channel c is every value whose index modulo {@code channels} is c (a row-major (in, out) matrix). */
    private static float[] trailingAxis(Blob w, int channels) {
        float[] th = new float[channels];
        for (int i = 0; i < w.count(); i++) {
            th[i % channels] = maxAbs(th[i % channels], w.data()[i]);
        }
        return th;
    }

    private static float[] deconvolution(Blob w, int group) {
        int[] s = w.shape();
        int in = s[0];
        int outPerGroup = s[1];
        int kernel = (int) (w.count() / ((long) in * outPerGroup));
        int inPerGroup = in / group;
        float[] th = new float[outPerGroup * group];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < outPerGroup; j++) {
                int c = (i / inPerGroup) * outPerGroup + j;
                int base = (i * outPerGroup + j) * kernel;
                for (int k = 0; k < kernel; k++) {
                    th[c] = maxAbs(th[c], w.data()[base + k]);
                }
            }
        }
        return th;
    }

    /** max(m, |v|), turning a NaN weight into a NaN threshold so that it is reported. */
    private static float maxAbs(float m, float v) {
        float a = Math.abs(v);
        return a > m || Float.isNaN(a) ? a : m;
    }
}
