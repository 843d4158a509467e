package xportdnn.quant;

import xportdnn.precision.AveragePooling;
import xportdnn.precision.DynamicFixed;
import xportdnn.precision.InParamsOut;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;

/**
 * DynamicFixed formats chosen per layer from calibration statistics ({@code --fl_bitwidths auto}) instead of one
 * Q.F stamped on every layer. Activations: each layer's output gets the fractional length with the least
 * quantization error on its calibration histogram ({@link FixedPointErrorThreshold}), then formats propagate as
 * the Xilinx thresholds do — an in-place layer sets its producer's output format, max Pooling passes its input's
 * through, Eltwise and Concat inputs share one format — so every layer's fl_layer_in is the fl_layer_out of the
 * blob it reads. Average pooling is the exception: the device writes it in its own output format, so it gets one,
 * the finest that holds the largest calibration output with {@link PoolingHeadroom}'s margin. Not the least-error
 * one: the device wraps a pooled value out of range instead of saturating it. And at most 8 bits finer than its
 * input's, since the device shifts the pooled sum right by fl_layer_in + 8 - fl_layer_out. Weights: the fl with
 * the least squared error over the convolution's own weights, from the widest format that saturates none of them
 * to {@value FixedPointErrorThreshold#EXTRA_BITS} bits finer.
 */
public final class DynamicFixedFormats {

    /** An average pooling's output format may be at most this much finer than its input's (2^8). */
    private static final double POOLING_SHIFT_RANGE = Math.scalb(1.0, AveragePooling.MULTIPLIER_FRACTION);

    private DynamicFixedFormats() {
    }

    /**
     * The formats chosen, and what the walk that chose them found worth a warning.
     *
     * @param formats      per layer name, the (input, weights, output) fractional lengths
     * @param unevenInputs the Concat and Eltwise layers whose inputs' ranges are far apart, one warning each: the
     *                     device reads them in one input format ({@link XilinxThresholds#unevenInputs})
     */
    public record Choice(Map<String, InParamsOut> formats, List<String> unevenInputs) {
    }

    /** Every layer's formats, from one walk of the ranges. */
    public static Choice choose(Net net, Map<String, BlobHistograms> statistics, InParamsOut bitwidths) {
        XilinxThresholds ranges = ranges(net, statistics, bitwidths);
        Map<String, InParamsOut> formats = new LinkedHashMap<>();
        for (XilinxThresholds.LayerThresholds t : ranges.layers()) {
            Layer layer = t.layer();
            int flParams = layer.layerType() == LayerType.CONVOLUTION && !layer.weights().isEmpty()
                    ? weightFl(layer.weights().get(0), bitwidths.params()) : 0;
            formats.put(layer.name(), new InParamsOut(fl(t.in(), bitwidths.in()), flParams,
                    fl(t.out(), bitwidths.out())));
        }
        return new Choice(formats, ranges.unevenInputs());
    }

    /** Every blob's range, propagated as the formats are (see the class comment). */
    private static XilinxThresholds ranges(Net net, Map<String, BlobHistograms> statistics, InParamsOut bitwidths) {
        return XilinxThresholds.compute(net, statistics, new FixedPointErrorThreshold(), bitwidths.out(),
                (output, input) -> Math.max(PoolingHeadroom.threshold(output.range().maxAbs(), bitwidths.out()),
                        input / POOLING_SHIFT_RANGE));
    }

    /** The fl whose largest value is {@code threshold}: the widest format that does not saturate it. */
    private static int fl(double threshold, int bw) {
        return DynamicFixed.largestFl(-threshold, threshold, bw);
    }

    static int weightFl(Blob weights, int bw) {
        float[] w = weights.data();
        int widest = DynamicFixed.largestFl(w, bw);
        int best = widest;
        double bestError = Double.POSITIVE_INFINITY;
        for (int fl = widest; fl <= Math.min(widest + FixedPointErrorThreshold.EXTRA_BITS, DynamicFixed.MAX_FL);
                fl++) {
            double err = 0;
            for (float v : w) {
                double d = v - DynamicFixed.value(v, bw, fl);
                err += d * d;
            }
            if (err < bestError) {
                bestError = err;
                best = fl;
            }
        }
        return best;
    }
}
