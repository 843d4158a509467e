package xportdnn.export;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import xportdnn.precision.InParamsOut;
import xportdnn.precision.XilinxScheme;
import xportdnn.quant.LayerReport.ParamsSummary;
import xportdnn.quant.LayerReport;

/**
 * The {@code --report} file of the Xilinx mode: the settings, then one object per layer with the fields of
 * {@link LayerReport} under the prototxt's names where there is one; absent values are null.
 */
public final class ReportJson {

    private ReportJson() {
    }

    public static String of(String thresholdMethod, InParamsOut bitwidths, List<LayerReport> layers) {
        return Json.print(tree(thresholdMethod, bitwidths, layers));
    }

    /** The report as the map {@link Json} prints, for callers that add sections of their own. */
    public static Map<String, Object> tree(String thresholdMethod, InParamsOut bitwidths, List<LayerReport> layers) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("quant_type", XilinxScheme.QUANT_TYPE);
        root.put("threshold_method", thresholdMethod);
        Map<String, Object> bits = new LinkedHashMap<>();
        bits.put("in", bitwidths.in());
        bits.put("params", bitwidths.params());
        bits.put("out", bitwidths.out());
        root.put("bitwidths", bits);
        root.put("layers", layers.stream().map(ReportJson::layer).toList());
        return root;
    }

    private static Map<String, Object> layer(LayerReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("type", r.type());
        m.put("th_layer_in", r.thIn());
        m.put("th_layer_out", r.thOut());
        m.put("method", r.method());
        m.put("own_threshold", orNull(r.ownThreshold()));
        m.put("max_abs", orNull(r.maxAbs()));
        m.put("clipped_fraction", orNull(r.clippedFraction()));
        m.put("th_params", r.params().map(ReportJson::params).orElse(null));
        return m;
    }

    private static Map<String, Object> params(ParamsSummary p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", p.count());
        m.put("min", p.min());
        m.put("max", p.max());
        m.put("mean", p.mean());
        m.put("fused_with", p.fusedWith());
        return m;
    }

    private static Double orNull(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }
}
