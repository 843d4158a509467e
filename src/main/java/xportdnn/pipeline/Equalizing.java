package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
                        100 * result.lastMove())) + absorption(pairs);
    }

    /**
     * Bias absorption's part of the note: what it moved, and the pairs it left because absorbing would not be exact
     * there; nothing when no pair had a folded BatchNorm's statistics to take the amounts from.
     */
    static String absorption(List<CrossLayerEqualization.PairScales> pairs) {
        List<CrossLayerEqualization.PairScales> absorbed = pairs.stream().filter(p -> p.absorbed() != null).toList();
        List<String> blocked = pairs.stream().map(CrossLayerEqualization.PairScales::notAbsorbed)
                .filter(Objects::nonNull).toList();
        if (absorbed.isEmpty() && blocked.isEmpty()) {
            return "";
        }
        String moved = "";
        if (!absorbed.isEmpty()) {
            long channels = absorbed.stream().flatMapToDouble(p -> Arrays.stream(p.absorbed())).filter(a -> a > 0)
                    .count();
            double largest = absorbed.stream().flatMapToDouble(p -> Arrays.stream(p.absorbed())).max().orElse(0);
            String pairsText = absorbed.size() + (absorbed.size() == 1 ? " pair" : " pairs");
            moved = channels == 0 ? " moved nothing in " + pairsText + " (no channel's beta - 3 gamma is above 0)"
                    : String.format(Locale.ROOT, " moved %d %s of %s into the next convolutions' biases (at most "
                    + "%.3g)", channels, channels == 1 ? "channel" : "channels", pairsText, largest);
        }
        String left = blocked.isEmpty() ? "" : (absorbed.isEmpty() ? " left " : ", left ") + blocked.size()
                + (blocked.size() == 1 ? " pair" : " pairs") + " where it would not be exact (" + blocked.get(0)
                + (blocked.size() > 1 ? ", ..." : "") + ")";
        return "; bias absorption (BatchNorm beta - 3 gamma)" + moved + left;
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
            if (p.absorbed() != null) {
                m.put("absorbed_channels", Arrays.stream(p.absorbed()).filter(a -> a > 0).count());
                m.put("absorbed_max", Arrays.stream(p.absorbed()).max().orElse(0));
            } else if (p.notAbsorbed() != null) {
                m.put("not_absorbed", p.notAbsorbed());
            }
            pairs.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sweeps", result.sweeps());
        out.put("converged", result.converged());
        out.put("pairs", pairs);
        return out;
    }
}
