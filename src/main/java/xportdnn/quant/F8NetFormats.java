package xportdnn.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.EltwiseParameter.EltwiseOp;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.precision.F8Net;
import xportdnn.precision.F8NetFormat;
import xportdnn.precision.F8NetScheme;
import xportdnn.precision.F8NetScheme.Lengths;

/**
 * F8Net's fractional lengths (algorithms.md F) for every layer the simulator computes on F8Net codes, post-training:
 * every tensor gets the fractional length that minimises the squared error of quantize-dequantize (section F's
 * alternative, {@link #rmsFractionalLength}), a convolution's weights per output channel over that channel's folded
 * weights, an activation over its calibration histogram. F8Net's std rule ({@link F8Net#fractionalLength}) ends a
 * format 3.2 to 7 standard deviations out, which F8Net's training teaches the net to live with; a post-training net's
 * heavy-tailed activations and BatchNorm-folded weights lose their largest values to it (docs/compare-schemes.md has
 * the per-layer SQNR on calibration images that decided this).
 * Signedness is {@link F8NetScheme}'s; an unsigned output a ReLU rewrites in place is measured after the ReLU. A
 * layer reads its input in the format its producer wrote, the image in the one of its own histogram. Max pooling
 * keeps its input's format, an in-place ReLU its producer's. Average pooling, InnerProduct and the other layers
 * CHaiDNN runs in software get no format (computed in float).
 */
public final class F8NetFormats {

    private F8NetFormats() {
    }

    /**
     * Per layer that computes on codes, in net order, its fractional lengths: input, output and, for a convolution,
     * its weights' per output channel.
     *
     * @param net        the float net, BatchNorm/Scale folded into its convolutions
     * @param statistics per layer name, its calibration statistics
     */
    public static Map<String, Lengths> choose(Net net, Map<String, BlobHistograms> statistics) {
        F8NetScheme scheme = new F8NetScheme(net);
        Map<String, String> measuredAt = rectifiedOutputs(net, scheme);
        Set<String> accumulators = accumulators(net);
        Map<String, Integer> codes = new HashMap<>(); // per blob, the fl of the F8Net codes it holds
        Set<String> wide = new HashSet<>(); // the blobs held as 32-bit accumulators
        Map<String, BlobHistograms> written = new HashMap<>(); // per blob, the statistics of its last writer
        Map<String, Lengths> formats = new LinkedHashMap<>();
        for (Layer l : net.layers()) {
            boolean accumulator = accumulators.contains(l.name());
            boolean onCodes = switch (l.layerType()) {
                case CONVOLUTION -> !l.weights().isEmpty() && l.param().getConvolutionParam().getAxis() == 1;
                case ELTWISE -> XilinxThresholds.onInputScale(l);
                default -> false;
            };
            List<Integer> weights = onCodes && l.layerType() == LayerType.CONVOLUTION ? perChannel(l.weights().get(0))
                    : List.of();
            boolean wideIn = !l.bottoms().isEmpty() && wide.contains(l.bottoms().get(0)) && keepsWide(l);
            Integer out = switch (l.layerType()) {
                case CONVOLUTION -> !onCodes ? null : accumulator ? accumulatorFl(l, input(l, scheme, codes, wide,
                        written) + weights.stream().mapToInt(Integer::intValue).max().orElseThrow(), statistics)
                        : own(l, scheme, statistics, measuredAt);
                case ELTWISE -> !onCodes ? null : accumulator ? accumulatorFl(l, l.bottoms().stream()
                        .filter(codes::containsKey).mapToInt(codes::get).max().orElse(F8Net.MIN_FL), statistics)
                        : own(l, scheme, statistics, measuredAt);
                case CONCAT -> l.bottoms().stream().allMatch(codes::containsKey)
                        ? own(l, scheme, statistics, measuredAt) : null;
                case POOLING -> l.param().getPoolingParam().getPool() == PoolMethod.MAX
                        ? codes.get(l.bottoms().get(0)) : null;
                case RELU -> !codes.containsKey(l.bottoms().get(0)) || !scheme.unsignedOutput(l) ? null
                        : scheme.unsignedInput(l) ? codes.get(l.bottoms().get(0))
                        : own(l, scheme, statistics, measuredAt);
                default -> null;
            };
            boolean wideOut = accumulator || wideIn && out != null && out.equals(codes.get(l.bottoms().get(0)));
            if (out != null) {
                int in = wideIn ? codes.get(l.bottoms().get(0)) : input(l, scheme, codes, wide, written);
                formats.put(l.name(), new Lengths(in, weights, out, wideIn, wideOut));
            }
            BlobHistograms stats = statistics(l.name(), statistics);
            for (String top : l.tops()) {
                if (out != null) {
                    codes.put(top, out);
                } else {
                    codes.remove(top);
                }
                if (out != null && wideOut) {
                    wide.add(top);
                } else {
                    wide.remove(top);
                }
                written.put(top, stats);
            }
        }
        return formats;
    }

    private static boolean sum(Layer l) {
        return l.layerType() == LayerType.ELTWISE && XilinxThresholds.onInputScale(l)
                && l.param().getEltwiseParam().getOperation() == EltwiseOp.SUM;
    }

    /**
     * The layers whose output F8Net's reference keeps as a 32-bit accumulator ({@link F8NetFormat#wide}): every
     * residual sum (an Eltwise SUM) and every convolution or sum whose output a sum reads (ResNet's residual branch,
     * its shortcut and its stem). Their readers other than a ReLU, a max pooling or another sum shift them into an
     * 8-bit input format of their own. Also the layer writing the class scores ({@link ClassScores}): the reference
     * returns the classifier's accumulator as it is.
     */
    private static Set<String> accumulators(Net net) {
        Map<String, Layer> writer = new HashMap<>(); // per blob, the layer whose output it holds
        Set<String> out = new HashSet<>(ClassScores.layers(net));
        for (Layer l : net.layers()) {
            if (sum(l)) {
                out.add(l.name());
                for (String b : l.bottoms()) {
                    Layer w = writer.get(b);
                    if (w != null && (w.layerType() == LayerType.CONVOLUTION || sum(w))) {
                        out.add(w.name());
                    }
                }
            }
            if (!(l.inPlace() && l.layerType() == LayerType.RELU)) {
                l.tops().forEach(t -> writer.put(t, l));
            }
        }
        return out;
    }

    /** Whether the layer keeps a 32-bit accumulator it reads as one (the others read it in 8-bit codes). */
    private static boolean keepsWide(Layer l) {
        return l.layerType() == LayerType.RELU || l.layerType() == LayerType.POOLING || sum(l);
    }

    /**
     * The fl of an accumulator: {@code exact}, the fl that holds every contribution without rounding (a
     * convolution's {@code fl_in + max fl_w[c]}, the channels of smaller fl shifted left exactly; a sum's largest
     * input fl), unless the calibrated max |x| would then come within a factor 2 of 2^31 (no such net here): then
     * the finest fl keeping that factor, the accumulator rounding half to even.
     */
    static int accumulatorFl(Layer l, int exact, Map<String, BlobHistograms> statistics) {
        float max = statistics(l.name(), statistics).range().maxAbs();
        // max < 2^(e + 1), so max * 2^fl <= 2^30 for fl <= 29 - e
        int room = max > 0 ? F8Net.ACCUMULATOR_BITS - 3 - Math.getExponent(max) : F8Net.MAX_ACCUMULATOR_FL;
        return Math.max(F8Net.MIN_FL, Math.min(Math.min(exact, room), F8Net.MAX_ACCUMULATOR_FL));
    }

    /**
     * Each output channel's fl (F8Net's {@code format_type: per_channel}): the least squared error over that
     * channel's (BatchNorm-folded) weights. Folding gives a convolution's channels ranges far apart (ResNet-20), and
     * one fl for all would round the small channels coarsely; docs/compare-history.md has the measurement that
     * decided this.
     */
    private static List<Integer> perChannel(Blob weights) {
        int channels = weights.shape()[0];
        int size = (int) (weights.count() / channels);
        float[] w = weights.data();
        List<Integer> fl = new ArrayList<>(channels);
        for (int c = 0; c < channels; c++) {
            fl.add(rmsFractionalLength(Arrays.copyOfRange(w, c * size, (c + 1) * size), true));
        }
        return fl;
    }

    /**
     * Per layer whose output a plain ReLU rewrites in place next (so it is written unsigned, {@link F8NetScheme}),
     * that ReLU's name: the values the format must hold are the ReLU's.
     */
    private static Map<String, String> rectifiedOutputs(Net net, F8NetScheme scheme) {
        Map<String, String> writer = new HashMap<>();
        Map<String, String> measuredAt = new HashMap<>();
        for (Layer l : net.layers()) {
            if (l.layerType() == LayerType.RELU && l.inPlace() && scheme.unsignedInput(l)
                    && writer.containsKey(l.bottoms().get(0))) {
                measuredAt.putIfAbsent(writer.get(l.bottoms().get(0)), l.name());
            }
            l.tops().forEach(t -> writer.put(t, l.name()));
        }
        return measuredAt;
    }

    /** The fl of the layer's own output: the least squared error on its calibration values. */
    private static int own(Layer l, F8NetScheme scheme, Map<String, BlobHistograms> statistics,
            Map<String, String> measuredAt) {
        return rmsFractionalLength(statistics(measuredAt.getOrDefault(l.name(), l.name()), statistics).fine(),
                !scheme.unsignedOutput(l));
    }

    /**
     * The fl of the 8-bit codes the layer reads: its producer's, or for float values (the image) and a 32-bit
     * accumulator their own.
     */
    private static int input(Layer l, F8NetScheme scheme, Map<String, Integer> codes, Set<String> wide,
            Map<String, BlobHistograms> written) {
        String bottom = l.bottoms().get(0);
        Integer held = codes.get(bottom);
        return held != null && !wide.contains(bottom) ? held
                : rmsFractionalLength(written.get(bottom).fine(), !scheme.unsignedInput(l));
    }

    /**
     * The fractional length in {@link F8Net#MIN_FL}..{@link F8Net#MAX_FL} whose 8-bit codes (saturating at 127
     * signed, 255 unsigned, rounding half to even) give the least squared error of quantize-dequantize over the
     * histogram of |x| (each bin at its centre; the finest such fl on a tie); section F's finest format,
     * 8 - signed, when there are no values but zeros. For signed codes the histogram of |x| holds the error
     * exactly, the quantizer being symmetric.
     */
    static int rmsFractionalLength(AbsHistogram h, boolean signed) {
        if (h == null || h.total() == h.zeros()) {
            return F8Net.maxFl(signed);
        }
        return leastError(signed, quantize -> MseThreshold.squaredError(h, quantize));
    }

    /** As {@link #rmsFractionalLength(AbsHistogram, boolean)}, over the values themselves. */
    static int rmsFractionalLength(float[] values, boolean signed) {
        boolean zeros = true;
        for (float v : values) {
            zeros &= v == 0;
        }
        if (zeros) {
            return F8Net.maxFl(signed);
        }
        return leastError(signed, quantize -> {
            double error = 0;
            for (float v : values) {
                double d = Math.abs(v) - quantize.applyAsDouble(Math.abs(v));
                error += d * d;
            }
            return error;
        });
    }

    /** The finest fl of least {@code error}, which sums the squared error of a quantizer of |x|. */
    private static int leastError(boolean signed, ToDoubleFunction<DoubleUnaryOperator> error) {
        int best = F8Net.maxFl(signed);
        double bestError = Double.POSITIVE_INFINITY;
        int max = F8Net.maxCode(signed);
        for (int fl = F8Net.MIN_FL; fl <= F8Net.MAX_FL; fl++) {
            double step = Math.scalb(1.0, -fl);
            double e = error.applyAsDouble(c -> step * Math.min(max, Math.rint(c / step)));
            if (e <= bestError) {
                bestError = e;
                best = fl;
            }
        }
        return best;
    }

    private static BlobHistograms statistics(String layer, Map<String, BlobHistograms> statistics) {
        BlobHistograms h = statistics.get(layer);
        if (h == null) {
            throw ModelException.inLayer(layer, "no calibration statistics for its output");
        }
        return h;
    }
}
