package xportdnn.tune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.Layer;

/**
 * Groups the layers to tune into passes over the calibration images: a layer joins the current pass unless it
 * reads (directly or through other layers) the output of a layer already in it, since its quantized input must
 * come from tuned predecessors. SqueezeNet's two expand convolutions of a fire module, which read the same squeeze
 * output, share a pass. Pure function of the net's wiring.
 */
final class TuningPasses {

    private TuningPasses() {
    }

    /**
     * @param layers all layers in net order
     * @param tuned  the names of the layers to tune
     * @return the tuned layers in net order, cut into passes
     */
    static List<List<Layer>> of(List<Layer> layers, Set<String> tuned) {
        Map<String, Set<String>> upstream = new HashMap<>(); // blob -> tuned layers its value depends on
        List<List<Layer>> passes = new ArrayList<>();
        List<Layer> current = new ArrayList<>();
        Set<String> inCurrent = new HashSet<>();
        for (Layer layer : layers) {
            Set<String> dependsOn = new HashSet<>();
            for (String bottom : layer.bottoms()) {
                dependsOn.addAll(upstream.getOrDefault(bottom, Set.of()));
            }
            if (tuned.contains(layer.name())) {
                if (dependsOn.stream().anyMatch(inCurrent::contains)) {
                    passes.add(current);
                    current = new ArrayList<>();
                    inCurrent = new HashSet<>();
                }
                current.add(layer);
                inCurrent.add(layer.name());
                dependsOn.add(layer.name());
            }
            for (String top : layer.tops()) {
                upstream.put(top, dependsOn);
            }
        }
        if (!current.isEmpty()) {
            passes.add(current);
        }
        return passes;
    }
}
