package xportdnn.equalize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xportdnn.model.Blob;
import xportdnn.model.BlobProtos;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * {@code --equalize}: cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization through Weight
 * Equalization and Bias Correction", section 4.1; with BatchNorm statistics, section 4.2's bias absorption after it).
 * For each {@link EqualizationPair}, output channel c of the first convolution is divided by
 * {@code s_c = sqrt(r1_c / r2_c)} and the next convolutions' input channel c multiplied by it, where r1_c is the
 * largest |w| of the first's output channel c and r2_c that of the weights reading input channel c (over every next
 * convolution): both become {@code sqrt(r1_c r2_c)}, so a per-layer weight format keeps more codes for the small
 * channels, and the float net computes the same. The range is the largest magnitude because CHaiDNN's formats and
 * thresholds are symmetric. A convolution in a chain (conv, depthwise, pointwise, ...) is second in one pair and
 * first in the next, so the pairs are swept in net order until no scale moves by more than {@link #TOLERANCE}
 * (relative), or {@link #MAX_SWEEPS} sweeps have run. Works on a net whose BatchNorm/Scale are folded into its
 * convolutions.
 */
public final class CrossLayerEqualization {

    /** A sweep whose every scale is within this of 1 (relative) ends the iteration. */
    static final double TOLERANCE = 1e-4;

    static final int MAX_SWEEPS = 100;

    /**
     * @param pair        the two layers (or more: a blob read by several convolutions)
     * @param scales      per output channel c of the first convolution, the product over all sweeps of its scales
     *                    s_c (the channel was divided by it)
     * @param absorbed    per channel, the amount bias absorption ({@link BiasAbsorption}) took out of the first
     *                    convolution's bias into the next ones', or null when it took nothing
     * @param notAbsorbed why bias absorption took nothing although the first convolution had a folded BatchNorm's
     *                    statistics, or null
     */
    public record PairScales(EqualizationPair pair, double[] scales, double[] absorbed, String notAbsorbed) {

        public double smallest() {
            return Arrays.stream(scales).min().orElse(1);
        }

        public double largest() {
            return Arrays.stream(scales).max().orElse(1);
        }
    }

    /**
     * @param net        the equalized net
     * @param caffemodel its definition with the learned blobs; {@code caffemodel.toByteArray()} is the binary file
     * @param pairs      each equalized pair with its scale range, in net order
     * @param sweeps     how many sweeps ran (at most {@link #MAX_SWEEPS})
     * @param lastMove   the largest |s_c - 1| of the last sweep: below {@link #TOLERANCE} when the sweeps converged
     *                   (long chains converge slowly: on MobileNet v1, 100 sweeps leave it at 0.7%)
     */
    public record Result(Net net, NetParameter caffemodel, List<PairScales> pairs, int sweeps, double lastMove) {

        public boolean converged() {
            return lastMove <= TOLERANCE;
        }
    }

    private CrossLayerEqualization() {
    }

    /** Without bias absorption. */
    public static Result run(Net net) {
        return run(net, Map.of());
    }

    /**
     * @param distributions per convolution with a folded BatchNorm, its output channels' distribution before
     *                      equalization: the pairs it starts absorb their bias ({@link BiasAbsorption})
     */
    public static Result run(Net net, Map<String, OutputDistribution> distributions) {
        List<EqualizationPair> pairs = EqualizationPair.find(net);
        Map<String, ConvolutionChannels> convolutions = new LinkedHashMap<>();
        for (EqualizationPair pair : pairs) {
            convolutions.computeIfAbsent(pair.first(), name -> new ConvolutionChannels(net.layer(name)));
            pair.next().forEach(name -> convolutions.computeIfAbsent(name, n -> new ConvolutionChannels(net.layer(n))));
        }
        List<double[]> totals = new ArrayList<>();
        for (EqualizationPair pair : pairs) {
            double[] ones = new double[convolutions.get(pair.first()).outputs()];
            Arrays.fill(ones, 1);
            totals.add(ones);
        }
        int sweeps = 0;
        double lastMove = pairs.isEmpty() ? 0 : Double.POSITIVE_INFINITY;
        while (lastMove > TOLERANCE && sweeps < MAX_SWEEPS) {
            sweeps++;
            lastMove = 0;
            for (int k = 0; k < pairs.size(); k++) {
                double[] s = equalize(convolutions.get(pairs.get(k).first()),
                        pairs.get(k).next().stream().map(convolutions::get).toList());
                for (int c = 0; c < s.length; c++) {
                    totals.get(k)[c] *= s[c];
                    lastMove = Math.max(lastMove, Math.abs(s[c] - 1));
                }
            }
        }
        List<PairScales> scales = new ArrayList<>();
        for (int k = 0; k < pairs.size(); k++) {
            BiasAbsorption.Absorbed absorbed = BiasAbsorption.absorb(net, pairs.get(k), totals.get(k),
                    distributions.get(pairs.get(k).first()), convolutions);
            scales.add(new PairScales(pairs.get(k), totals.get(k), absorbed.amounts(), absorbed.notAbsorbed()));
        }
        NetParameter caffemodel = caffemodel(net, convolutions);
        return new Result(NetLoader.build(net.definition(), caffemodel), caffemodel, scales, sweeps,
                lastMove);
    }

    /** One equalization of {@code first} against its readers {@code next}; returns the scales s_c applied. */
    static double[] equalize(ConvolutionChannels first, List<ConvolutionChannels> next) {
        double[] s = new double[first.outputs()];
        for (int c = 0; c < s.length; c++) {
            double r1 = first.outputRange(c);
            double r2 = 0;
            for (ConvolutionChannels n : next) {
                r2 = Math.max(r2, n.inputRange(c));
            }
            // a channel with all-zero weights on either side carries nothing to balance
            s[c] = r1 > 0 && r2 > 0 ? Math.sqrt(r1 / r2) : 1;
            first.scaleOutput(c, 1 / s[c]);
            for (ConvolutionChannels n : next) {
                n.scaleInput(c, s[c]);
            }
        }
        return s;
    }

    private static NetParameter caffemodel(Net net, Map<String, ConvolutionChannels> convolutions) {
        NetParameter.Builder weights = net.definition().toBuilder().clearLayer();
        for (Layer layer : net.layers()) {
            LayerParameter.Builder stored = layer.param().toBuilder();
            ConvolutionChannels scaled = convolutions.get(layer.name());
            List<Blob> blobs = scaled == null ? layer.weights() : scaled.blobs();
            blobs.forEach(b -> stored.addBlobs(BlobProtos.of(b)));
            weights.addLayer(stored);
        }
        return weights.build();
    }
}
