package xportdnn.quant;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;

/**
 * A BatchNorm with the Scale that reads its output (the first later layer to read it, reading nothing else): the
 * pair CHaiDNN's runtime computes a BatchNorm with. It folds a pair that follows a Convolution into that
 * convolution ({@link BatchNormFusion}) and runs any other one as an op of its own (xtract_opt.cpp,
 * {@code XGraphOpt::xi_opt_batchNorm}, OPCODE_BN).
 */
public record BatchNormPair(Layer batchNorm, Layer scale) {

    /** Every pair of the net, in the order of their BatchNorms. */
    public static List<BatchNormPair> find(Net net) {
        List<BatchNormPair> pairs = new ArrayList<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer bn = layers.get(i);
            if (bn.layerType() == LayerType.BATCH_NORM) {
                firstReader(layers, i, bn.tops().get(0))
                        .filter(l -> l.layerType() == LayerType.SCALE && l.bottoms().size() == 1)
                        .ifPresent(scale -> pairs.add(new BatchNormPair(bn, scale)));
            }
        }
        return pairs;
    }

    /** The pairs no Convolution's fused chain takes in: those the runtime runs as an op of their own. */
    public static List<BatchNormPair> standalone(Net net) {
        Set<Layer> fused = BatchNormFusion.find(net).values().stream().flatMap(f -> f.fusedLayers().stream())
                .collect(Collectors.toSet());
        return find(net).stream().filter(p -> !fused.contains(p.batchNorm())).toList();
    }

    /** The layers after the Scale that read its output, in net order. */
    public List<Layer> scaleReaders(Net net) {
        List<Layer> layers = net.layers();
        return readers(layers, layers.indexOf(scale), scale.tops().get(0)).toList();
    }

    /** The first layer after {@code layers[index]} that reads {@code blob}. */
    private static Optional<Layer> firstReader(List<Layer> layers, int index, String blob) {
        return readers(layers, index, blob).findFirst();
    }

    private static Stream<Layer> readers(List<Layer> layers, int index, String blob) {
        return layers.subList(index + 1, layers.size()).stream().filter(l -> l.bottoms().contains(blob));
    }
}
