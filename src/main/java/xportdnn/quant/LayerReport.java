package xportdnn.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.quant.XilinxThresholds.LayerThresholds;

/**
 * One layer's entry of the precision report ({@code --report}): the thresholds chosen, how, and what they cost
 * on the calibration data.
 *
 * @param name            the layer
 * @param type            its type
 * @param thIn            {@code th_layer_in}
 * @param thOut           {@code th_layer_out}
 * @param method          the threshold method's name for a layer whose own output decided its threshold, else
 *                        {@code pass-through} or {@code eltwise-max}
 * @param ownThreshold    the threshold of the layer's own output, before in-place layers, Eltwise and Concat
 *                        changed the blob's (absent for pass-through and Eltwise layers)
 * @param maxAbs          the largest |x| of the layer's own output (absent without statistics)
 * @param clippedFraction the fraction of the layer's own output values with |x| above {@code thOut}
 * @param params          the weight thresholds in brief (absent for layers without weights thresholds)
 */
public record LayerReport(String name, String type, double thIn, double thOut, String method,
        OptionalDouble ownThreshold, OptionalDouble maxAbs, OptionalDouble clippedFraction,
        Optional<ParamsSummary> params) {

    /**
     * @param count     how many {@code th_params}
     * @param min       the smallest
     * @param max       the largest
     * @param mean      their mean
     * @param fusedWith the BatchNorm/Scale layers whose factors are in the weights measured
     */
    public record ParamsSummary(int count, double min, double max, double mean, List<String> fusedWith) {

        static Optional<ParamsSummary> of(float[] params, List<String> fusedWith) {
            if (params.length == 0) {
                return Optional.empty();
            }
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            double sum = 0;
            for (float p : params) {
                min = Math.min(min, p);
                max = Math.max(max, p);
                sum += p;
            }
            return Optional.of(new ParamsSummary(params.length, min, max, sum / params.length, fusedWith));
        }
    }

    /**
     * Every layer's entry, in layer order, from the thresholds and the statistics they were computed from. Max |x|
     * and the clipped fraction describe the blob the layer's th_layer_out applies to, i.e. as the next layer reads
     * it: for a convolution rewritten in place by BatchNorm/Scale/ReLU, the output of the last of them.
     */
    public static List<LayerReport> of(XilinxThresholds thresholds, Map<String, BlobHistograms> statistics) {
        Map<String, String> lastWriter = new HashMap<>();
        for (LayerThresholds t : thresholds.layers()) {
            t.layer().tops().forEach(top -> lastWriter.put(top, t.name()));
        }
        List<LayerReport> report = new ArrayList<>();
        for (LayerThresholds t : thresholds.layers()) {
            List<String> tops = t.layer().tops();
            BlobHistograms stats = statistics.get(tops.isEmpty() ? t.name() : lastWriter.get(tops.get(0)));
            String method = switch (t.rule()) {
                case OWN_OUTPUT -> thresholds.method();
                case AVERAGE_POOLING -> "average-pooling-max";
                case PASS_THROUGH -> "pass-through";
                case ELTWISE_MAX -> "eltwise-max";
            };
            report.add(new LayerReport(t.name(), t.layer().type(), t.in(), t.out(), method, t.own(),
                    stats == null ? OptionalDouble.empty() : OptionalDouble.of(stats.range().maxAbs()),
                    stats == null ? OptionalDouble.empty() : OptionalDouble.of(fractionAbove(stats, t.out())),
                    ParamsSummary.of(t.params(), t.fusedWith())));
        }
        return report;
    }

    /**
     * The fraction of the values with |x| above {@code threshold}, from the fine histogram: whole bins above it,
     * and the part of the bin holding it above it, assuming its values spread evenly.
     */
    public static double fractionAbove(BlobHistograms stats, double threshold) {
        AbsHistogram h = stats.fine();
        if (h == null || threshold >= h.hi()) {
            return 0;
        }
        double above = 0;
        for (int k = h.bins() - 1; k >= 0 && h.edge(k + 1) > threshold; k--) {
            double lo = h.edge(k);
            double part = lo >= threshold ? 1 : (h.edge(k + 1) - threshold) / h.width(k);
            long n = k == 0 ? h.count(0) - h.zeros() : h.count(k); // an exact zero is never above
            above += part * n;
        }
        return above / stats.range().count();
    }
}
