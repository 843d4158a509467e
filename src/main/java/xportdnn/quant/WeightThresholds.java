package xportdnn.quant;

import xportdnn.model.Blob;
import xportdnn.model.Layer;
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
        return switch (layer.type()) {
            case "Convolution", "Deconvolution", "InnerProduct", "Normalize" -> true;
            default -> false;
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
        int[] s = w.shape();
        float[] th = switch (layer.type()) {
            case "Convolution" -> leadingAxis(w, s[0]);
            case "Deconvolution" -> deconvolution(w, layer.param().getConvolutionParam().getGroup());
            case "InnerProduct" -> layer.param().getInnerProductParam().getTranspose()
                    ? trailingAxis(w, s[s.length - 1]) : leadingAxis(w, s[0]);
            case "Normalize" -> leadingAxis(w, w.count());
            default -> throw new IllegalArgumentException(layer.type() + " has no weight thresholds");
        };
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
