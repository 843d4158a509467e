package xportdnn.equalize;

import java.util.ArrayList;
import java.util.List;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;

/**
 * Two layers cross-layer equalization may rescale against each other: a convolution whose output reaches the
 * {@code next} convolutions only through layers that commute with a positive per-channel scale (a ReLU without
 * negative slope, MAX or AVE pooling, Dropout), and is read by nothing else. Scaling the first one's output channel c by
 * 1/s and the next ones' input channel c by s then leaves what the float net computes unchanged.
 *
 * @param first the convolution whose output channels are scaled down
 * @param next  the convolutions that read its (rectified, pooled) output, whose input channels are scaled up
 */
public record EqualizationPair(String first, List<String> next) {

    public EqualizationPair {
        next = List.copyOf(next);
    }

    /** Every such pair of the net, in the order of the first convolutions. */
    public static List<EqualizationPair> find(Net net) {
        List<Layer> layers = net.layers();
        List<EqualizationPair> pairs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer first = layers.get(i);
            if (isConvolution(first)) {
                List<String> next = nextConvolutions(layers, i);
                if (!next.isEmpty()) {
                    pairs.add(new EqualizationPair(first.name(), next));
                }
            }
        }
        return pairs;
    }

    /** The convolutions that alone read layer {@code at}'s output through the scale-commuting layers, or none. */
    private static List<String> nextConvolutions(List<Layer> layers, int at) {
        String blob = layers.get(at).tops().get(0);
        while (true) {
            List<Integer> readers = readers(layers, at, blob);
            if (readers.isEmpty()) {
                return List.of(); // a net output
            }
            if (readers.size() == 1 && commutesWithScale(layers.get(readers.get(0)))) {
                at = readers.get(0);
                blob = layers.get(at).tops().get(0);
                continue;
            }
            if (readers.stream().allMatch(r -> isConvolution(layers.get(r)))) {
                return readers.stream().map(r -> layers.get(r).name()).toList();
            }
            return List.of();
        }
    }

    /** The layers after {@code at} that read the value {@code blob} holds then, up to the layer that rewrites it. */
    private static List<Integer> readers(List<Layer> layers, int at, String blob) {
        List<Integer> readers = new ArrayList<>();
        for (int j = at + 1; j < layers.size(); j++) {
            Layer l = layers.get(j);
            if (l.bottoms().contains(blob)) {
                readers.add(j);
            }
            if (l.tops().contains(blob)) {
                break;
            }
        }
        return readers;
    }

    /** A convolution with weights, one input and one output (a Deconvolution is not one). */
    private static boolean isConvolution(Layer l) {
        return l.layerType() == LayerType.CONVOLUTION && !l.weights().isEmpty() && l.bottoms().size() == 1
                && l.tops().size() == 1;
    }

    /** f(x / s) = f(x) / s per channel for s > 0: a plain ReLU (positive homogeneity), MAX or AVE pooling. */
    private static boolean commutesWithScale(Layer l) {
        LayerParameter p = l.param();
        if (p.getBottomCount() != 1 || p.getTopCount() != 1) {
            return false;
        }
        return switch (l.layerType()) {
            case RELU -> p.getReluParam().getNegativeSlope() == 0f;
            case POOLING -> p.getPoolingParam().getPool() == PoolMethod.MAX
                    || p.getPoolingParam().getPool() == PoolMethod.AVE;
            case DROPOUT -> true; // the identity in a deploy net
            default -> false;
        };
    }
}
