package xportdnn.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xportdnn.equalize.OutputDistribution;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.Shapes;

/**
 * A Convolution together with the BatchNorm and/or Scale after it that the CHaiDNN runtime fuses into it
 * (spec/chaidnn-precision.md section 4): {@code w'[c] = w[c] * S[c]}, {@code b'[c] = S[c] * (b[c] - mean[c]) +
 * beta[c]} with {@code S[c] = gamma[c] / sqrt(var[c] + eps)} (BatchNorm alone: gamma = 1, beta = 0; Scale alone:
 * S = gamma, mean = 0).
 *
 * <p>A chain is Convolution, then optionally BatchNorm, then optionally Scale (at least one of the two), each
 * reading the previous one's output: either in place, or as the only layer that ever reads that blob, so that
 * fusing changes nothing any other layer sees. It is the first layer after the previous one to read its output.
 * Only per-channel forms fuse: a convolution on axis 1, a Scale with a learned multiplier over axis 1 alone.
 *
 * @param convolution the Convolution
 * @param batchNorm   the fused BatchNorm, or null
 * @param scale       the fused Scale, or null
 * @param outputBlob  the blob the last fused layer writes: what the fused convolution outputs
 */
public record BatchNormFusion(Layer convolution, Layer batchNorm, Layer scale, String outputBlob) {

    /** The fusable chains of the net, by convolution name, in layer order. */
    public static Map<String, BatchNormFusion> find(Net net) {
        List<Layer> layers = net.layers();
        Map<String, BatchNormFusion> chains = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer conv = layers.get(i);
            if (conv.layerType() != LayerType.CONVOLUTION || conv.tops().size() != 1 || conv.inPlace()
                    || conv.param().getConvolutionParam().getAxis() != 1) {
                continue;
            }
            int channels = net.shape(conv.tops().get(0))[1];
            Layer bn = null;
            Layer scale = null;
            String blob = conv.tops().get(0);
            int at = i;
            while (true) {
                int next = fusableReader(net, at, blob);
                if (next < 0) {
                    break;
                }
                Layer l = layers.get(next);
                if (l.layerType() == LayerType.BATCH_NORM && bn == null && scale == null) {
                    bn = l;
                } else if (l.layerType() == LayerType.SCALE && scale == null && perChannelScale(net, l, channels)) {
                    scale = l;
                } else {
                    break;
                }
                blob = l.tops().get(0);
                at = next;
            }
            if (bn != null || scale != null) {
                chains.put(conv.name(), new BatchNormFusion(conv, bn, scale, blob));
            }
        }
        return chains;
    }

    /**
     * The index of the first layer after {@code from} that reads {@code blob}, when it reads nothing else, writes
     * one blob, and either works in place or is the only later reader of the blob; -1 otherwise.
     */
    private static int fusableReader(Net net, int from, String blob) {
        List<Layer> layers = net.layers();
        int first = -1;
        for (int k = from + 1; k < layers.size(); k++) {
            if (layers.get(k).bottoms().contains(blob)) {
                first = k;
                break;
            }
        }
        if (first < 0) {
            return -1;
        }
        Layer l = layers.get(first);
        if (l.bottoms().size() != 1 || l.tops().size() != 1) {
            return -1;
        }
        if (l.inPlace()) {
            return first;
        }
        for (int k = first + 1; k < layers.size(); k++) {
            if (layers.get(k).bottoms().contains(blob)) {
                return -1;
            }
        }
        return first;
    }

    /** A Scale whose learned multiplier covers exactly the channel axis (Caffe's default axis 1, num_axes 1). */
    private static boolean perChannelScale(Net net, Layer scale, int channels) {
        int[] in = net.shape(scale.bottoms().get(0));
        int axis = scale.param().getScaleParam().getAxis();
        int numAxes = scale.param().getScaleParam().getNumAxes();
        return in.length >= 2 && Shapes.axis(scale.name(), "axis", axis, in.length) == 1
                && (numAxes == 1 || (numAxes == -1 && in.length == 2)) && in[1] == channels;
    }

    /** The BatchNorm and Scale that fuse into the convolution, in order. */
    public List<Layer> fusedLayers() {
        List<Layer> l = new ArrayList<>(2);
        if (batchNorm != null) {
            l.add(batchNorm);
        }
        if (scale != null) {
            l.add(scale);
        }
        return l;
    }

    /** The layer whose output the fused convolution produces. */
    public Layer lastLayer() {
        return scale != null ? scale : batchNorm;
    }

    /** S[c]. */
    public float[] channelFactors() {
        float[] gamma = scale == null ? null : learned(scale, 0);
        if (gamma != null) {
            checkChannels(scale, gamma.length);
        }
        if (batchNorm == null) {
            return gamma.clone();
        }
        BatchNormStatistics stats = BatchNormStatistics.of(batchNorm);
        checkChannels(batchNorm, stats.variance().length);
        return stats.gammaByStd(gamma);
    }

    /** The fused weights w[c] * S[c], in the convolution's weight shape. */
    public Blob weights() {
        Blob w = convolutionWeights();
        float[] s = channelFactors();
        checkChannels(convolution, w.shape()[0]);
        float[] out = new float[w.count()];
        int perChannel = w.count() / s.length;
        for (int i = 0; i < out.length; i++) {
            out[i] = w.data()[i] * s[i / perChannel];
        }
        return new Blob(w.shape().clone(), out);
    }

    /**
     * Per channel, the mean (beta) and deviation (|gamma|) the BatchNorm and its Scale give the output (no Scale:
     * 0 and 1); null without a BatchNorm, as a Scale alone does not normalize.
     */
    public OutputDistribution outputDistribution() {
        if (batchNorm == null) {
            return null;
        }
        int channels = convolution.param().getConvolutionParam().getNumOutput();
        float[] beta = scale == null || !scale.param().getScaleParam().getBiasTerm() ? new float[channels]
                : learned(scale, 1);
        float[] gamma = new float[channels];
        Arrays.fill(gamma, 1);
        if (scale != null) {
            float[] g = learned(scale, 0);
            for (int c = 0; c < channels; c++) {
                gamma[c] = Math.abs(g[c]);
            }
        }
        checkChannels(scale != null ? scale : batchNorm, beta.length);
        return new OutputDistribution(beta.clone(), gamma);
    }

    /** The fused bias S[c] * (b[c] - mean[c]) + beta[c] (b = 0 for a convolution without bias). */
    public float[] bias() {
        float[] s = channelFactors();
        convolutionWeights(); // fails clearly when the caffemodel gave the convolution nothing
        float[] b = convolution.weights().size() < 2 ? new float[s.length] : convolution.weights().get(1).data();
        float[] mean = batchNorm == null ? new float[s.length] : BatchNormStatistics.of(batchNorm).mean();
        float[] beta = scale == null || !scale.param().getScaleParam().getBiasTerm() ? new float[s.length]
                : learned(scale, 1);
        checkChannels(convolution, b.length);
        if (scale != null) {
            checkChannels(scale, beta.length);
        }
        float[] out = new float[s.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = s[c] * (b[c] - mean[c]) + beta[c];
        }
        return out;
    }

    private Blob convolutionWeights() {
        if (convolution.weights().isEmpty()) {
            throw ModelException.inLayer(convolution.name(), "the Convolution has no learned weights");
        }
        return convolution.weights().get(0);
    }

    private static float[] learned(Layer layer, int blob) {
        if (layer.weights().size() <= blob) {
            throw ModelException.inLayer(layer.name(), "the " + layer.type() + " has no learned "
                    + (blob == 0 ? "multiplier" : "bias"));
        }
        return layer.weights().get(blob).data();
    }

    private void checkChannels(Layer layer, int n) {
        int channels = convolution.param().getConvolutionParam().getNumOutput();
        if (n != channels) {
            throw ModelException.inLayer(layer.name(), "has " + n + " per-channel values but the convolution '"
                    + convolution.name() + "' it fuses into has " + channels + " outputs");
        }
    }
}
