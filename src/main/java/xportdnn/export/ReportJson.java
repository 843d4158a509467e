package xportdnn.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
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
        root.put("bitwidths", bits(bitwidths));
        root.put("layers", layers.stream().map(ReportJson::layer).toList());
        return root;
    }

    /**
     * The {@code --report} file of the DynamicFixed mode: the bitwidths, how the fractional lengths were chosen
     * ("uniform" or "auto"), then per layer with a block its fl_layer_in, fl_layer_out and fl_params (null where the
     * block has none).
     */
    public static Map<String, Object> dynamicFixedTree(InParamsOut bitwidths, String fractionalLengths,
                                                       NetParameter quantized) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("quant_type", "DynamicFixed");
        root.put("fractional_lengths", fractionalLengths);
        root.put("bitwidths", bits(bitwidths));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerParameter l : quantized.getLayerList()) {
            if (!l.hasPrecisionParam()) {
                continue;
            }
            PrecisionParameter p = l.getPrecisionParam();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.getName());
            m.put("type", l.getType());
            m.put("fl_layer_in", p.getFlLayerIn());
            m.put("fl_layer_out", p.getFlLayerOut());
            m.put("fl_params", p.hasFlParams() ? p.getFlParams() : null);
            layers.add(m);
        }
        root.put("layers", layers);
        return root;
    }

    private static Map<String, Object> bits(InParamsOut bitwidths) {
        Map<String, Object> bits = new LinkedHashMap<>();
        bits.put("in", bitwidths.in());
        bits.put("params", bitwidths.params());
        bits.put("out", bitwidths.out());
        return bits;
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
