package xportdnn.tune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.quant.XilinxThresholds;

/**
 * Which values must share one activation format, as the exporters make them and the device reads them: a blob
 * keeps its producer's format through an in-place ReLU the device fuses, a pass-through layer (a Pooling in
 * Xilinx mode, a max Pooling in DynamicFixed mode, Split, Flatten...) writes its input's codes unchanged, the
 * inputs and the output of a Concat share one format, and so do an Eltwise's inputs (its output, which a sum or
 * product writes in a range of its own, is kept in their group: an Eltwise writes into it, so it is not tuned). A
 * convolution's output format can only change together with its whole group, so only when every value of the
 * group is written by a convolution being tuned; then every block reading the group (its {@code *_layer_in})
 * and every block writing into it ({@code *_layer_out}) change with it. Pure function of the net's wiring.
 */
final class FormatGroups {

    /**
     * One group.
     *
     * @param writers     the layers computing the group's values (convolutions, Eltwise, Input, float layers...)
     * @param writingOut  the layers whose output is in the group (writers and the fused or pass-through layers)
     * @param readingIn   the layers whose input is in the group
     * @param pooledBy    the global AVE Pooling that alone reads the output of the group's only writer, or null
     */
    record Group(Set<String> writers, Set<String> writingOut, Set<String> readingIn, Layer pooledBy) {
    }

    private final Map<Integer, Integer> parent = new HashMap<>();
    private final Map<String, Integer> versionOf = new HashMap<>(); // layer name -> version of its first top
    private final Map<Integer, List<Layer>> writers = new HashMap<>();
    private final Map<Integer, List<Layer>> outputs = new HashMap<>();
    private final Map<Integer, List<Layer>> readers = new HashMap<>();

    /**
     * @param xilinx whether the net is in Xilinx mode (every Pooling passes its input's format through) rather
     *               than DynamicFixed (an AVE Pooling writes a format of its own)
     */
    FormatGroups(Net net, boolean xilinx) {
        Map<String, Integer> current = new HashMap<>();
        int ids = 0;
        for (Layer l : net.layers()) {
            List<Integer> bottoms = new ArrayList<>();
            for (String b : l.bottoms()) {
                bottoms.add(current.computeIfAbsent(b, x -> next(-1 - parent.size())));
            }
            for (int v : bottoms) {
                readers.computeIfAbsent(v, x -> new ArrayList<>()).add(l);
            }
            boolean fusedRelu = l.layerType() == LayerType.RELU && l.inPlace()
                    && ChaidnnSupport.of(l.param()) != ChaidnnSupport.UNSUPPORTED;
            boolean passes = XilinxThresholds.PASS_THROUGH.contains(l.layerType()) && !(!xilinx
                    && l.layerType() == LayerType.POOLING
                    && l.param().getPoolingParam().getPool() == PoolMethod.AVE);
            boolean shares = l.layerType() == LayerType.CONCAT || l.layerType() == LayerType.ELTWISE;
            for (String t : l.tops()) {
                int v = fusedRelu ? bottoms.get(0) : next(ids++);
                if (passes) {
                    union(v, bottoms.get(0));
                } else if (shares) {
                    bottoms.forEach(b -> union(v, b));
                }
                if (!fusedRelu && !passes && l.layerType() != LayerType.CONCAT) {
                    writers.computeIfAbsent(v, x -> new ArrayList<>()).add(l);
                }
                outputs.computeIfAbsent(v, x -> new ArrayList<>()).add(l);
                current.put(t, v);
                versionOf.putIfAbsent(l.name(), v);
            }
        }
    }

    private int next(int id) {
        parent.put(id, id);
        return id;
    }

    private int find(int v) {
        int root = v;
        while (parent.get(root) != root) {
            root = parent.get(root);
        }
        return root;
    }

    private void union(int a, int b) {
        parent.put(find(a), find(b));
    }

    /** The group of the value {@code layer} writes (its first top). */
    Group of(String layer) {
        int own = versionOf.get(layer);
        int root = find(own);
        Set<String> writerNames = new LinkedHashSet<>();
        Set<String> writing = new LinkedHashSet<>();
        Set<String> reading = new LinkedHashSet<>();
        for (int v : parent.keySet()) {
            if (find(v) == root) {
                writers.getOrDefault(v, List.of()).forEach(l -> writerNames.add(l.name()));
                outputs.getOrDefault(v, List.of()).forEach(l -> writing.add(l.name()));
                readers.getOrDefault(v, List.of()).forEach(l -> reading.add(l.name()));
            }
        }
        // The layers reading the writer's own value, but the ReLU fused into it.
        List<Layer> external = readers.getOrDefault(own, List.of()).stream()
                .filter(l -> !outputs.getOrDefault(own, List.of()).contains(l)).distinct().toList();
        Layer pooled = writerNames.size() == 1 && external.size() == 1 && globalAverage(external.get(0))
                ? external.get(0) : null;
        return new Group(writerNames, writing, reading, pooled);
    }

    private boolean globalAverage(Layer l) {
        if (l.layerType() != LayerType.POOLING || l.param().getPoolingParam().getPool() != PoolMethod.AVE) {
            return false;
        }
        if (l.param().getPoolingParam().getGlobalPooling()) {
            return true;
        }
        int[] top = l.topShapes().get(0);
        return top.length == 4 && top[2] == 1 && top[3] == 1 && l.param().getPoolingParam().getPad() == 0
                && !l.param().getPoolingParam().hasPadH() && !l.param().getPoolingParam().hasPadW();
    }
}
