package xportdnn.quant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
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
 *                        {@code pass-through} or {@code eltwise-max}; {@code fast-finetune} where the tuning chose
 *                        the written {@code th_layer_out} instead
 * @param ownThreshold    the threshold of the layer's own output, before in-place layers, Eltwise and Concat
 *                        changed the blob's (absent for pass-through layers and an Eltwise MAX)
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
        return of(thresholds, statistics, Map.of());
    }

    /**
     * The same for the net as written after {@code --fast_finetune}: where {@code written} holds another
     * {@code th_layer_in} or {@code th_layer_out} than {@code exported} (the net as the thresholds made it), the
     * entry gives the written one, its clipped fraction is that of the written threshold, and a changed
     * {@code th_layer_out} is the tuning's choice ({@code fast-finetune}).
     */
    public static List<LayerReport> of(XilinxThresholds thresholds, Map<String, BlobHistograms> statistics,
                                       NetParameter exported, NetParameter written) {
        Map<String, PrecisionParameter> before = precisions(exported);
        Map<String, Retuned> changed = new HashMap<>();
        precisions(written).forEach((name, p) -> {
            PrecisionParameter q = before.get(name);
            Retuned r = new Retuned(q != null && q.getThLayerIn() == p.getThLayerIn() ? null : p.getThLayerIn(),
                    q != null && q.getThLayerOut() == p.getThLayerOut() ? null : p.getThLayerOut());
            if (r.in() != null || r.out() != null) {
                changed.put(name, r);
            }
        });
        return of(thresholds, statistics, changed);
    }

    /** A layer's thresholds as the tuning rewrote them; null where it kept the exported one. */
    private record Retuned(Float in, Float out) {
    }

    private static Map<String, PrecisionParameter> precisions(NetParameter net) {
        Map<String, PrecisionParameter> out = new HashMap<>();
        for (LayerParameter l : net.getLayerList()) {
            if (l.hasPrecisionParam()) {
                out.put(l.getName(), l.getPrecisionParam());
            }
        }
        return out;
    }

    private static List<LayerReport> of(XilinxThresholds thresholds, Map<String, BlobHistograms> statistics,
                                        Map<String, Retuned> tuned) {
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
            Retuned retuned = tuned.getOrDefault(t.name(), new Retuned(null, null));
            double in = retuned.in() == null ? t.in() : retuned.in();
            double out = t.out();
            if (retuned.out() != null) {
                out = retuned.out();
                method = "fast-finetune";
            }
            report.add(new LayerReport(t.name(), t.layer().type(), in, out, method, t.own(),
                    stats == null ? OptionalDouble.empty() : OptionalDouble.of(stats.range().maxAbs()),
                    stats == null ? OptionalDouble.empty() : OptionalDouble.of(fractionAbove(stats, out)),
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
