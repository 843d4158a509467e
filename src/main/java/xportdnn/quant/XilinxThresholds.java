package xportdnn.quant;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Predicate;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.EltwiseParameter;
import xportdnn.model.proto.Caffe.EltwiseParameter.EltwiseOp;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;

/**
 * The Xilinx-mode thresholds of every layer: {@code th_layer_in}, {@code th_layer_out} and the weight thresholds
 * {@code th_params}, from the calibration statistics of each layer's own output (algorithms.md section A).
 *
 * <p>Activations. A blob's threshold is one value however many layers rewrite it in place, so the producer's
 * {@code th_layer_out} that a reader's {@code th_layer_in} must equal is simply the blob's value:
 * <ol>
 * <li>Every computing layer (anything not listed below, e.g. Input, Convolution, ReLU, BatchNorm, Scale, Concat,
 * also layers CHaiDNN does not run) gets {@code own = method.threshold(stats[layer], bitwidth)}.</li>
 * <li>Walking the layers in order: a computing layer sets every top to its own threshold (so an in-place ReLU
 * replaces the convolution's); a pass-through layer ({@link #PASS_THROUGH}: its output values are those of its
 * input, picked or rearranged) sets its tops to its first bottom's value; an Eltwise sets every bottom to the
 * largest bottom value, and its top too when it is a max ({@link #boundedByInputs}); a sum or a product sets its
 * top to its own threshold ({@link #simulated} leaves a product's or weighted sum's bottoms their own, {@link
 * #onInputScale}); a Concat sets every bottom and its top to its own threshold.</li>
 * <li>Walking back: a pass-through layer's input takes its outputs' final value (the largest). The device writes a
 * pass-through's codes unchanged, so when a later layer changed the output's threshold (an in-place ReLU after a
 * pooling, a Concat of poolings) the layer producing the codes must write them in it.</li>
 * <li>Then, until nothing changes (values only rise, so this ends): every Eltwise's bottoms are raised to their
 * largest value, every Concat's bottoms and top to the largest of them all, and a pass-through's input and output
 * to the larger of the two; an Eltwise's top is left as the walk set it. This settles blobs read by two Eltwise
 * or Concat layers (ResNet shortcuts).</li>
 * <li>A layer's {@code th_layer_in} is the final value of its first bottom (for Eltwise and Concat, the value
 * all bottoms share), its {@code th_layer_out} the final value of its first top. A layer without bottoms
 * (Input) has {@code th_layer_in = th_layer_out}. A layer with several tops (a Slice) is given one threshold
 * for all of them, from the statistics of all of them together (the calibration adds every top of a layer to
 * its histogram), so none is clipped to a smaller one's range.</li>
 * </ol>
 * An all-zero blob gets 0; the exporter replaces it, since the runtime divides by thresholds.
 *
 * <p>Weights: {@link WeightThresholds} of every Convolution, Deconvolution, InnerProduct and Normalize, where a
 * Convolution the runtime fuses with a following BatchNorm/Scale ({@link BatchNormFusion}) is measured on its
 * fused weights.
 */
public final class XilinxThresholds {

    /** Layer types whose output values are values of their first input, so they keep its threshold. */
    public static final Set<LayerType> PASS_THROUGH = EnumSet.of(LayerType.POOLING, LayerType.SPLIT,
            LayerType.DROPOUT, LayerType.LRN, LayerType.FLATTEN, LayerType.RESHAPE, LayerType.PERMUTE, LayerType.CROP);

    /**
     * The output range of an AVE Pooling for a device that writes pooled values in a format of their own
     * (CHaiDNN's DynamicFixed mode; its Xilinx mode keeps the input's scale, so there Pooling passes through).
     */
    public interface AveragePoolingRange {

        /**
         * @param output         the statistics of the pooling's own output
         * @param inputThreshold the threshold of the blob it pools
         */
        double threshold(BlobHistograms output, double inputThreshold);
    }

    /** How a layer's output threshold was decided. */
    public enum Rule {
        /** From the statistics of the layer's own output by the threshold method. */
        OWN_OUTPUT,
        /** An average pooling's own output range ({@link AveragePoolingRange}). */
        AVERAGE_POOLING,
        /** Taken over from its input ({@link #PASS_THROUGH}). */
        PASS_THROUGH,
        /** The largest threshold of an Eltwise's inputs (a max). */
        ELTWISE_MAX
    }

    /**
     * @param layer     the layer
     * @param in        {@code th_layer_in}
     * @param out       {@code th_layer_out}
     * @param rule      how the walk set the layer's output
     * @param own       the threshold of the layer's own output, for {@link Rule#OWN_OUTPUT} layers; the final
     *                  {@code out} differs when a later in-place layer, Eltwise or Concat changed the blob
     * @param params    {@code th_params}, one per output channel; empty for layers without weight thresholds
     * @param fusedWith the BatchNorm/Scale layers whose factors the weights were measured with, in order
     */
    public record LayerThresholds(Layer layer, double in, double out, Rule rule, OptionalDouble own, float[] params,
            List<String> fusedWith) {

        public String name() {
            return layer.name();
        }
    }

    private final String method;
    private final int bitwidth;
    private final Map<String, LayerThresholds> layers;
    private final List<String> warnings;
    private final List<String> unevenInputs;

    /**
     * A Concat's or Eltwise's input whose own range is below the largest input's divided by this is warned about:
     * on their one shared scale it keeps fewer than 1/8 of the codes, 18 dB of its SQNR lost.
     */
    static final double UNEVEN_RANGES = 8;

    private XilinxThresholds(String method, int bitwidth, Map<String, LayerThresholds> layers,
            List<String> warnings, List<String> unevenInputs) {
        this.method = method;
        this.bitwidth = bitwidth;
        this.layers = layers;
        this.warnings = List.copyOf(warnings);
        this.unevenInputs = List.copyOf(unevenInputs);
    }

    /**
     * @param statistics the statistics of every layer's own output, by layer name (an in-place layer's entry is
     *                   the blob after that layer; the Input's is the preprocessed data); pass-through layers and
     *                   an Eltwise MAX may be absent
     * @param method     the activation threshold method
     * @param bitwidth   the activation bitwidth the thresholds are chosen for
     * @throws IllegalArgumentException when a computing layer has no statistics
     * @throws ModelException           when a method gives no finite threshold, or weights are missing or not finite
     */
    public static XilinxThresholds compute(Net net, Map<String, BlobHistograms> statistics, ThresholdMethod method,
            int bitwidth) {
        return compute(net, statistics, method, bitwidth, null);
    }

    /**
     * As {@link #compute(Net, Map, ThresholdMethod, int)}, but an AVE Pooling gets its own output range from
     * {@code averagePooling} instead of passing its input's through.
     */
    public static XilinxThresholds compute(Net net, Map<String, BlobHistograms> statistics, ThresholdMethod method,
            int bitwidth, AveragePoolingRange averagePooling) {
        return compute(net, statistics, method, bitwidth, averagePooling, true);
    }

    /**
     * As {@link #compute(Net, Map, ThresholdMethod, int)} for a scheme only the simulator runs (compare's naive and
     * aciq), where an Eltwise not on its inputs' scale ({@link #onInputScale}: a product, a weighted sum) leaves each
     * input its own threshold. CHaiDNN's block holds one th_layer_in for all of a layer's inputs, so on the device
     * they share one; the simulator computes such an Eltwise in float from each input's values, and a product needs
     * no common scale at all. Shared, a product of a small input by a large one (ranges 3 and 130) rounded the small
     * one to a few codes: 16 dB at the product instead of 40.
     */
    public static XilinxThresholds simulated(Net net, Map<String, BlobHistograms> statistics, ThresholdMethod method,
            int bitwidth) {
        return compute(net, statistics, method, bitwidth, null, false);
    }

    /**
     * @param offScaleInputsShared whether an Eltwise not on its inputs' scale still makes its inputs share their
     *                             largest threshold (the device's one th_layer_in)
     */
    private static XilinxThresholds compute(Net net, Map<String, BlobHistograms> statistics, ThresholdMethod method,
            int bitwidth, AveragePoolingRange averagePooling, boolean offScaleInputsShared) {
        Predicate<Layer> sharedInput = l -> l.layerType() == LayerType.ELTWISE
                && (offScaleInputsShared || onInputScale(l));
        Predicate<Layer> ownRange = l -> averagePooling != null && l.layerType() == LayerType.POOLING
                && l.param().getPoolingParam().getPool() == PoolMethod.AVE;
        Predicate<Layer> passesThrough = l -> PASS_THROUGH.contains(l.layerType()) && !ownRange.test(l);
        Map<String, Double> value = new HashMap<>();
        Map<String, Double> own = new HashMap<>();
        Map<String, Rule> rules = new HashMap<>();
        List<Step> steps = steps(net);
        List<String> uneven = new ArrayList<>();
        for (Step l : steps) {
            if (ownRange.test(l.layer())) {
                rules.put(l.name(), Rule.AVERAGE_POOLING);
                double t = averagePooling.threshold(statistics(l.layer(), statistics), value.get(l.bottoms().get(0)));
                own.put(l.name(), t);
                setAll(value, l.tops(), t);
            } else if (passesThrough.test(l.layer())) {
                rules.put(l.name(), Rule.PASS_THROUGH);
                setAll(value, l.tops(), value.get(l.bottoms().get(0)));
            } else if (l.type() == LayerType.ELTWISE && boundedByInputs(l.layer())) {
                rules.put(l.name(), Rule.ELTWISE_MAX);
                unevenInputs(l, value, bitwidth).ifPresent(uneven::add);
                double m = max(value, l.bottoms());
                setAll(value, l.bottoms(), m);
                setAll(value, l.tops(), m);
            } else if (!l.tops().isEmpty()) {
                rules.put(l.name(), Rule.OWN_OUTPUT);
                double t = ownThreshold(l.layer(), statistics, method, bitwidth);
                own.put(l.name(), t);
                if (l.type() == LayerType.CONCAT) {
                    unevenInputs(l, value, bitwidth).ifPresent(uneven::add);
                    setAll(value, l.bottoms(), t);
                } else if (sharedInput.test(l.layer())) { // a sum's or product's inputs on the device
                    unevenInputs(l, value, bitwidth).ifPresent(uneven::add);
                    setAll(value, l.bottoms(), max(value, l.bottoms()));
                }
                setAll(value, l.tops(), t);
            }
        }
        carryBackThroughPassThrough(steps, value, passesThrough);
        Map<String, BatchNormFusion> fusions = BatchNormFusion.find(net);
        Map<String, ConvolutionBias> biases = convolutionBiases(steps, fusions);
        biases.forEach((blob, conv) -> value.put(blob, biasAwareThreshold(value.get(blob), conv.bias(), bitwidth)));
        settleSharedInputs(steps, value, passesThrough, sharedInput);
        List<String> warnings = new ArrayList<>();
        biases.forEach((blob, conv) -> clippedBias(conv, value.get(blob)).ifPresent(warnings::add));

        Map<String, LayerThresholds> out = new LinkedHashMap<>();
        for (Step step : steps) {
            Layer l = step.layer();
            Double in = step.bottoms().isEmpty() ? null : value.get(step.bottoms().get(0));
            Double o = step.tops().isEmpty() ? in : value.get(step.tops().get(0));
            if (in == null) {
                in = o;
            }
            BatchNormFusion fusion = fusions.get(l.name());
            float[] params = !WeightThresholds.applies(l) ? new float[0]
                    : fusion == null ? WeightThresholds.of(l) : WeightThresholds.of(l, fusion.weights());
            List<String> fusedWith = fusion == null ? List.of()
                    : fusion.fusedLayers().stream().map(Layer::name).toList();
            Double ownValue = own.get(l.name());
            out.put(l.name(), new LayerThresholds(l, in == null ? 0 : in, o == null ? 0 : o,
                    rules.getOrDefault(l.name(), Rule.PASS_THROUGH),
                    ownValue == null ? OptionalDouble.empty() : OptionalDouble.of(ownValue), params, fusedWith));
        }
        return new XilinxThresholds(method.name(), bitwidth, out, warnings, uneven);
    }

    /**
     * A layer with the versions of the blobs it reads and writes. A blob keeps one version, so one threshold,
     * through the in-place layers the device folds into the layer writing it (a plain ReLU, a BatchNorm or Scale
     * fused into the convolution before it); any other in-place layer that computes (a leaky ReLU, PReLU, Sigmoid,
     * a BatchNorm after a pooling...) writes a version of its own, since the device writes its input's codes
     * before it runs.
     */
    private record Step(Layer layer, List<String> bottoms, List<String> tops) {

        String name() {
            return layer.name();
        }

        LayerType type() {
            return layer.layerType();
        }
    }

    private static List<Step> steps(Net net) {
        Set<String> fused = new HashSet<>();
        BatchNormFusion.find(net).values().forEach(f -> f.fusedLayers().forEach(l -> fused.add(l.name())));
        Map<String, String> version = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (Layer l : net.layers()) {
            List<String> bottoms = l.bottoms().stream().map(b -> version.getOrDefault(b, b)).toList();
            List<String> tops;
            if (l.inPlace() && separateOutput(l, fused.contains(l.name()))) {
                String top = l.tops().get(0) + "#" + l.name();
                version.put(l.tops().get(0), top);
                tops = List.of(top);
            } else {
                tops = l.tops().stream().map(t -> version.getOrDefault(t, t)).toList();
            }
            steps.add(new Step(l, bottoms, tops));
        }
        return steps;
    }

    /**
     * Whether an Eltwise computes on its inputs' codes of one scale: a plain sum (the inputs moved onto the output's
     * scale, the sum saturated to it) or a max. A product, or a sum with coefficients other than 1, does not (the
     * simulator computes it in float).
     */
    public static boolean onInputScale(Layer eltwise) {
        EltwiseParameter p = eltwise.param().getEltwiseParam();
        return p.getOperation() != EltwiseOp.PROD && p.getCoeffList().stream().allMatch(c -> c == 1f);
    }

    /**
     * Whether an Eltwise's output lies within its inputs' shared range, so it is written on their scale: a max. A
     * sum, even a plain one, exceeds both inputs' ranges where they add up: a gated residual {@code x + x *
     * sigmoid(conv(x))} written on x's scale saturated, the sum at 19.6 dB instead of 35.9 (Xilinx, 8 bits;
     * UnusualNetsChaidnnTest). The device moves the inputs onto the output's scale, as it does where a ReLU in
     * place after the sum (ResNet's) sets the output's threshold.
     */
    static boolean boundedByInputs(Layer eltwise) {
        return eltwise.param().getEltwiseParam().getOperation() == EltwiseOp.MAX;
    }

    /**
     * Whether an in-place layer's output needs a threshold apart from its input's (see {@link Step}); {@code fused}
     * says whether a BatchNorm or Scale is fused into the convolution before it. One that is not (after a pooling,
     * an Eltwise, a Concat) computes on the device from its input's codes: had it shared its input's threshold,
     * the walk carried its normalized range back through a pooling to the layer writing the codes, and the
     * BatchNorm read its input clipped to that range (its output at 17 dB, Xilinx 8 bits; 9 dB, DynamicFixed 6).
     */
    static boolean separateOutput(Layer l, boolean fused) {
        return switch (l.layerType()) {
            case RELU -> ChaidnnSupport.of(l.param()) == ChaidnnSupport.UNSUPPORTED;
            case BATCH_NORM, SCALE -> !fused;
            case ELTWISE, CONCAT -> false;
            default -> !PASS_THROUGH.contains(l.layerType());
        };
    }

    /**
     * The warning for a Concat or an Eltwise whose inputs the device reads on one scale (the largest input's)
     * although one input's range is {@link #UNEVEN_RANGES} times smaller: that input keeps few codes (its producer
     * writes them so), which a Concat hands on and a product multiplies into its output. The values are the inputs'
     * own thresholds, before the walk makes them share.
     */
    private static Optional<String> unevenInputs(Step l, Map<String, Double> value, int bitwidth) {
        double largest = max(value, l.bottoms());
        int smallest = 0;
        for (int i = 1; i < l.bottoms().size(); i++) {
            if (value.get(l.bottoms().get(i)) < value.get(l.bottoms().get(smallest))) {
                smallest = i;
            }
        }
        double share = value.get(l.bottoms().get(smallest)) / largest;
        if (!(largest > 0) || share * UNEVEN_RANGES >= 1) {
            return Optional.empty();
        }
        double levels = Math.scalb(1.0, bitwidth - 1) - 1;
        boolean product = l.type() == LayerType.ELTWISE
                && l.layer().param().getEltwiseParam().getOperation() == EltwiseOp.PROD;
        return Optional.of(String.format(Locale.ROOT, "layer '%s' (%s): CHaiDNN reads all its inputs on one scale, "
                + "the largest input's, and input '%s' spans only 1/%.0f of it, so its values keep about %d of %.0f "
                + "codes%s; give the inputs ranges within a factor of %.0f of each other", l.name(),
                ChaidnnSupport.describe(l.layer().param()), l.layer().bottoms().get(smallest), 1 / share,
                Math.max(1, Math.round(share * levels)), levels,
                product ? " and the product carries their rounding error" : "", UNEVEN_RANGES));
    }

    /** A convolution's bias as the runtime adds it: fused with the BatchNorm/Scale after it. */
    private record ConvolutionBias(String layer, float[] bias) {
    }

    /**
     * The bias of every convolution with one, by the blob version its output (after the fused BatchNorm/Scale and
     * a fused ReLU) is written in.
     */
    private static Map<String, ConvolutionBias> convolutionBiases(List<Step> steps,
            Map<String, BatchNormFusion> fusions) {
        Map<String, Step> byName = new HashMap<>();
        steps.forEach(s -> byName.put(s.name(), s));
        Map<String, ConvolutionBias> biases = new LinkedHashMap<>();
        for (Step s : steps) {
            Layer conv = s.layer();
            if (s.type() != LayerType.CONVOLUTION || conv.weights().isEmpty() || s.tops().size() != 1) {
                continue;
            }
            BatchNormFusion fusion = fusions.get(conv.name());
            if (fusion != null) {
                biases.put(byName.get(fusion.lastLayer().name()).tops().get(0),
                        new ConvolutionBias(conv.name(), fusion.bias()));
            } else if (conv.param().getConvolutionParam().getBiasTerm() && conv.weights().size() > 1) {
                biases.put(s.tops().get(0), new ConvolutionBias(conv.name(), conv.weights().get(1).data()));
            }
        }
        return biases;
    }

    /**
     * The output threshold of a convolution whose bias the runtime clips to +-threshold before adding it
     * (spec/chaidnn-precision.md section 2): the calibrated {@code threshold}, or a larger one up to max |bias|,
     * whichever gives the least estimated squared error per output: a uniform quantization error (t / levels)^2 /
     * 12 plus, averaged over the channels, the square of what clipping takes off each bias. Clipping a bias shifts
     * every output of its channel (where BatchNorm is fused, the accumulator carries the offset that bias removes,
     * so a ReLU after it does not hide the shift), so a threshold covering the bias wins unless it costs many bits.
     */
    static double biasAwareThreshold(double threshold, float[] bias, int bitwidth) {
        if (!(threshold > 0)) {
            return threshold;
        }
        double levels = Math.scalb(1.0, bitwidth - 1) - 1;
        double best = threshold;
        double bestError = clippingError(threshold, bias, levels);
        for (float b : bias) {
            double t = Math.abs(b);
            if (t > best) {
                double error = clippingError(t, bias, levels);
                if (error < bestError) {
                    best = t;
                    bestError = error;
                }
            }
        }
        return best;
    }

    private static double clippingError(double threshold, float[] bias, double levels) {
        double step = threshold / levels;
        double clipped = 0;
        for (float b : bias) {
            double d = Math.max(0, Math.abs(b) - threshold);
            clipped += d * d;
        }
        return step * step / 12 + clipped / bias.length;
    }

    /** The warning for a convolution whose bias the runtime will clip to +-threshold, if it does. */
    private static Optional<String> clippedBias(ConvolutionBias conv, double threshold) {
        float th = (float) threshold;
        if (!(th > 0)) {
            return Optional.empty();
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        int clipped = 0;
        for (float b : conv.bias()) {
            lo = Math.min(lo, b);
            hi = Math.max(hi, b);
            clipped += Math.abs(b) > th ? 1 : 0;
        }
        return clipped == 0 ? Optional.empty() : Optional.of("layer '" + conv.layer() + "': its bias (with the "
                + "BatchNorm/Scale fused into it) spans [" + number(lo) + ", " + number(hi) + "], beyond th_layer_out "
                + number(th) + ": the runtime clips the bias of " + clipped + " of " + conv.bias().length
                + " channels to +-" + number(th) + ", shifting their outputs (a threshold covering the bias would cost "
                + "more resolution)");
    }

    /** Six significant digits, without trailing zeros. */
    private static String number(float v) {
        return new BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
    }

    private static BlobHistograms statistics(Layer l, Map<String, BlobHistograms> statistics) {
        BlobHistograms stats = statistics.get(l.name());
        if (stats == null) {
            throw new IllegalArgumentException("no calibration statistics for layer '" + l.name() + "'");
        }
        return stats;
    }

    private static double ownThreshold(Layer l, Map<String, BlobHistograms> statistics, ThresholdMethod method,
            int bitwidth) {
        BlobHistograms stats = statistics(l, statistics);
        double t = method.threshold(stats, bitwidth);
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw ModelException.inLayer(l.name(), "the " + method.name() + " threshold of its calibration output is "
                    + t + " (max |x| " + stats.range().maxAbs() + ")");
        }
        return t;
    }

    /**
     * Step 3 of the class comment: a pass-through layer's output whose threshold a later layer changed (an in-place
     * ReLU after a pooling, a Concat reading it) hands the new value back to its input, since the device writes
     * the pass-through's codes unchanged: the layer producing them must write them in that threshold.
     */
    private static void carryBackThroughPassThrough(List<Step> steps, Map<String, Double> value,
            Predicate<Layer> passesThrough) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step l = steps.get(i);
            if (passesThrough.test(l.layer()) && !l.tops().isEmpty()) {
                value.put(l.bottoms().get(0), max(value, l.tops()));
            }
        }
    }

    /**
     * Step 4 of the class comment: raise shared inputs until every Eltwise, Concat and pass-through constraint
     * holds.
     */
    private static void settleSharedInputs(List<Step> steps, Map<String, Double> value,
            Predicate<Layer> passesThrough, Predicate<Layer> sharedInputs) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Step l : steps) {
                if (passesThrough.test(l.layer()) && !l.tops().isEmpty()) {
                    List<String> blobs = new ArrayList<>(l.tops());
                    blobs.add(l.bottoms().get(0));
                    changed |= raise(value, blobs, max(value, blobs));
                } else if (sharedInputs.test(l.layer())) {
                    changed |= raise(value, l.bottoms(), max(value, l.bottoms()));
                } else if (l.type() == LayerType.CONCAT) {
                    double m = Math.max(max(value, l.bottoms()), max(value, l.tops()));
                    changed |= raise(value, l.bottoms(), m);
                    changed |= raise(value, l.tops(), m);
                }
            }
        }
    }

    private static boolean raise(Map<String, Double> value, List<String> blobs, double m) {
        boolean changed = false;
        for (String b : blobs) {
            if (value.get(b) < m) {
                value.put(b, m);
                changed = true;
            }
        }
        return changed;
    }

    private static double max(Map<String, Double> value, List<String> blobs) {
        double m = 0;
        for (String b : blobs) {
            m = Math.max(m, value.get(b));
        }
        return m;
    }

    private static void setAll(Map<String, Double> value, List<String> blobs, double v) {
        for (String b : blobs) {
            value.put(b, v);
        }
    }

    /** The method's name, as users pass it to {@code --threshold_method}. */
    public String method() {
        return method;
    }

    public int bitwidth() {
        return bitwidth;
    }

    /**
     * What the device will do that the thresholds could not prevent: convolutions whose bias the runtime clips to
     * their output threshold, one line each.
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * What the device's one input scale does to a Concat or Eltwise whose inputs' ranges are far apart
     * ({@link #UNEVEN_RANGES}), one line per layer; the thresholds keep the device's rule.
     */
    public List<String> unevenInputs() {
        return unevenInputs;
    }

    /** Every layer's thresholds, in layer order. */
    public List<LayerThresholds> layers() {
        return List.copyOf(layers.values());
    }

    public LayerThresholds of(String layer) {
        LayerThresholds t = layers.get(layer);
        if (t == null) {
            throw new IllegalArgumentException("no layer named " + layer);
        }
        return t;
    }
}
