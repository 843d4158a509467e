package xportdnn.equalize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;

/**
 * Bias absorption (Nagel et al. 2019, section 4.2), after equalization: for a pair whose first convolution's output
 * came from a folded BatchNorm, {@code a_c = max(0, beta_c - 3 |gamma_c|) / s_c} (the BatchNorm's mean and deviation,
 * divided by the channel's equalization scale) is taken out of the first's bias and put into the next ones' biases
 * ({@code b2 += W2 a}). Where the pre-activation stays above a_c (beta - 3 gamma: all but ~0.1% of values under a
 * normal law) the ReLU passes {@code y - a} for {@code y}, so the float net computes the same and the channel's
 * activation range loses a_c. {@code W2 a} is what the shift adds at an output whose window reads no padding: a padded
 * position reads 0 either way, so a reader that pads would get a wrong bias at the border, and an AVE pooling on the
 * way that pads would average the zeros in. Such pairs are left as they are (exact, nothing absorbed).
 */
final class BiasAbsorption {

    /** How many deviations below the mean the absorbed amount stays (the paper's rule). */
    static final double DEVIATIONS = 3;

    private BiasAbsorption() {
    }

    /**
     * @param amounts     the amount taken out of each output channel of the first convolution, or null when none was
     * @param notAbsorbed why nothing was absorbed although the first convolution's BatchNorm gave the amounts, or
     *                    null
     */
    record Absorbed(double[] amounts, String notAbsorbed) {
    }

    /**
     * Absorbs into {@code convolutions}' copies of the pair's layers, when the first one's {@code distribution} is
     * known (else nothing) and absorbing is exact.
     */
    static Absorbed absorb(Net net, EqualizationPair pair, double[] scales, OutputDistribution distribution,
                           Map<String, ConvolutionChannels> convolutions) {
        if (distribution == null) {
            return new Absorbed(null, null);
        }
        String blocker = blocker(net, pair, convolutions);
        if (blocker != null) {
            return new Absorbed(null, blocker);
        }
        double[] a = new double[scales.length];
        for (int c = 0; c < a.length; c++) {
            a[c] = Math.max(0, distribution.mean()[c] - DEVIATIONS * Math.abs(distribution.deviation()[c]))
                    / scales[c];
            convolutions.get(pair.first()).lowerBias(c, a[c]);
        }
        pair.next().forEach(n -> convolutions.get(n).absorbInputShift(a));
        return new Absorbed(a, null);
    }

    /** Why the pair's bias cannot be absorbed exactly, or null when it can. */
    private static String blocker(Net net, EqualizationPair pair, Map<String, ConvolutionChannels> convolutions) {
        for (String name : Stream.concat(Stream.of(pair.first()), pair.next().stream()).toList()) {
            if (!convolutions.get(name).hasBias()) {
                return name + " has no bias";
            }
        }
        for (String name : pair.next()) {
            Layer next = net.layer(name);
            int[] pad = ConvGeometry.of(next.param(), net.bottomShapes(next).get(0)).pad();
            if (Arrays.stream(pad).anyMatch(p -> p != 0)) {
                return name + " pads its input";
            }
        }
        for (Layer l : between(net, pair)) {
            if (l.layerType() == LayerType.POOLING && l.param().getPoolingParam().getPool() == PoolMethod.AVE) {
                PoolGeometry g = PoolGeometry.of(l.param(), net.bottomShapes(l).get(0));
                if (g.padH() != 0 || g.padW() != 0) {
                    return l.name() + " averages over its padding";
                }
            }
        }
        return null;
    }

    /** The layers from the first convolution's output to the next ones' input (ReLU, pooling, Dropout). */
    private static List<Layer> between(Net net, EqualizationPair pair) {
        List<Layer> layers = net.layers();
        int at = layers.indexOf(net.layer(pair.first()));
        String blob = layers.get(at).tops().get(0);
        List<Layer> path = new ArrayList<>();
        for (int j = at + 1; j < layers.size(); j++) {
            Layer l = layers.get(j);
            if (pair.next().contains(l.name())) {
                break;
            }
            if (l.bottoms().contains(blob)) {
                path.add(l);
                blob = l.tops().get(0);
            }
        }
        return path;
    }
}
