package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import xportdnn.equalize.CrossLayerEqualization;

/** What to tell of cross-layer equalization: one note, and the report's per-pair section. */
final class Equalizing {

    private Equalizing() {
    }

    /** One line: how many pairs, in how many sweeps, and the range of their channel scales. */
    static String summary(CrossLayerEqualization.Result result) {
        List<CrossLayerEqualization.PairScales> pairs = result.pairs();
        if (pairs.isEmpty()) {
            return "--equalize: no pair of convolutions to equalize (a convolution whose output only convolutions "
                    + "read, through a plain ReLU or MAX/AVE pooling at most)";
        }
        double smallest = pairs.stream().mapToDouble(CrossLayerEqualization.PairScales::smallest).min().orElse(1);
        double largest = pairs.stream().mapToDouble(CrossLayerEqualization.PairScales::largest).max().orElse(1);
        return String.format(Locale.ROOT, "equalized %d %s of convolutions across layers in %d %s (channel scales "
                        + "%.3g to %.3g)%s", pairs.size(), pairs.size() == 1 ? "pair" : "pairs", result.sweeps(),
                result.sweeps() == 1 ? "sweep" : "sweeps", smallest, largest, result.converged() ? ""
                        : String.format(Locale.ROOT, "; not converged: the last sweep still moved a scale by %.2g%%",
                        100 * result.lastMove()));
    }

    /** Per pair: its layers and the range of the scales its first convolution's output channels were divided by. */
    static Map<String, Object> report(CrossLayerEqualization.Result result) {
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (CrossLayerEqualization.PairScales p : result.pairs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("first", p.pair().first());
            m.put("next", p.pair().next());
            m.put("scale_min", p.smallest());
            m.put("scale_max", p.largest());
            pairs.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sweeps", result.sweeps());
        out.put("converged", result.converged());
        out.put("pairs", pairs);
        return out;
    }
}
