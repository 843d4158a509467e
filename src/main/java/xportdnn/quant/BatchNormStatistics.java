package xportdnn.quant;

import java.util.List;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

/**
 * The true mean and variance of a Caffe BatchNorm layer and its eps. Caffe stores the blobs (mean, variance,
 * scale factor s) as running sums; the statistics are the stored ones divided by s (s = 0 means they are 0).
 */
public record BatchNormStatistics(float[] mean, float[] variance, float eps) {

    /** @throws ModelException when the layer lacks Caffe's three blobs */
    public static BatchNormStatistics of(Layer bn) {
        List<Blob> w = bn.weights();
        if (w.size() < 3 || w.get(2).count() < 1) {
            throw ModelException.inLayer(bn.name(), "the BatchNorm has " + w.size()
                    + " learned blobs; Caffe's BatchNorm needs mean, variance and a scale factor");
        }
        float s = w.get(2).data()[0];
        return new BatchNormStatistics(divide(w.get(0).data(), s), divide(w.get(1).data(), s),
                bn.param().getBatchNormParam().getEps());
    }

    private static float[] divide(float[] stored, float s) {
        float[] out = new float[stored.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = s == 0 ? 0 : stored[i] / s;
        }
        return out;
    }

    /**
     * The per-channel factor S = gamma / sqrt(var + eps) by which the runtime multiplies the layer before it when
     * it fuses BatchNorm (and a following Scale) into it, in float as the runtime computes it.
     *
     * @param gamma the Scale's multipliers, or null for a BatchNorm without Scale (gamma = 1)
     */
    public float[] gammaByStd(float[] gamma) {
        float[] s = new float[variance.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (gamma == null ? 1f : gamma[i]) / (float) Math.sqrt(variance[i] + eps);
        }
        return s;
    }
}
