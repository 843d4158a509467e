package xportdnn.quant;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;

/**
 * The layers that write a classifier's scores: a convolution (an InnerProduct compare quantizes is one) whose output
 * no layer reads, or only Softmax layers. The papers' code treats this last layer apart: F8Net's reference returns
 * its 32-bit accumulator, ACIQ's code keeps its weights and output at 8 bits, BFP's code gives its output one
 * exponent (an online one, per image).
 */
public final class ClassScores {

    private ClassScores() {
    }

    /** The names of those layers, in net order. */
    public static Set<String> layers(Net net) {
        Set<String> out = new LinkedHashSet<>();
        List<Layer> layers = net.layers();
        for (Layer l : layers) {
            if (l.layerType() != LayerType.CONVOLUTION || l.tops().size() != 1) {
                continue;
            }
            String top = l.tops().get(0);
            boolean scores = layers.stream().filter(r -> r != l && r.bottoms().contains(top))
                    .allMatch(r -> r.layerType() == LayerType.SOFTMAX && !r.inPlace());
            if (scores) {
                out.add(l.name());
            }
        }
        return out;
    }
}
