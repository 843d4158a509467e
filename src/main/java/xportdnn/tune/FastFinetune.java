package xportdnn.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.data.RepeatedBatches;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.NativeHeap;
import xportdnn.model.Blob;
import xportdnn.model.BlobProtos;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.precision.XilinxScheme;
import xportdnn.sim.FixedPointNet;

/**
 * Fast finetuning: the weights and biases of every convolution the device computes, tuned layer by layer in net
 * order so that its output on the calibration images stays close to the float net's although its input comes
 * from the quantized (and already tuned) layers before it. Per layer, one pass of the float net and the simulator
 * over the images (resumed where the pass before began, {@link ResumedForward}) collects the input moments
 * ({@link PatchStatistics}); then each output channel gets its rounding
 * (up or down per weight, {@link RoundingSolver}) and a bias correction ({@link ChannelTuning}), in each weight
 * format tried (DynamicFixed: fl_params around the exported one, {@link WeightFormatCandidates}). A layer whose
 * output error does not drop is left as it was. Then the output format of each group of layers the pass tuned
 * ({@link FormatGroups}) is chosen on samples of the same pass ({@link OutputFormatChoice}), and the prototxt's
 * readers follow it. The tuned weights are written as floats the runtime quantizes to exactly the chosen codes
 * ({@link WrittenWeights}).
 */
public final class FastFinetune {

    /** Output positions one image contributes to a layer's statistics. */
    static final int POSITIONS_PER_IMAGE = 256;
    private static final long SEED = 20240601L;

    /**
     * One tuned layer.
     *
     * @param layer      the convolution
     * @param sqnrPlain  its output SQNR (dB, before the activation, against the float net's output whatever the
     *                   {@link TuningTarget}) with plain rounding and the bias as it was
     * @param sqnrTuned  the same after tuning
     * @param tuned      whether the tuned weights were kept (the error dropped)
     * @param codes      the weight codes written (output channel major), or null when not tuned
     * @param format     what the output-format choice did
     */
    public record LayerResult(String layer, double sqnrPlain, double sqnrTuned, boolean tuned, int[] codes,
                              FormatResult format) {
    }

    /**
     * The output format of a tuned layer.
     *
     * @param before     as the export chose it, e.g. "th_layer_out 130.2" or "fl_layer_out 3"
     * @param after      as written
     * @param measuredAt where its error was measured ("output", "after pool10", "class scores after pool10"), or
     *                   null when the format could not change (a value of its group is written by a layer not
     *                   tuned in the same pass)
     * @param sqnrBefore the SQNR (dB) of the device's output (after a fused ReLU; after the pooling where
     *                   measured there) on the calibration samples with the format before; NaN when not measured
     * @param sqnrAfter  the same with the format after
     * @param pooling    where the class scores' global average pooling got its own output format chosen with this
     *                   one (DynamicFixed): its name and format before and after, e.g. "pool10 fl_layer_out -1";
     *                   else null
     * @param wrapped    where measured after a pooling: the calibration images on which a pooled code wraps around
     *                   with the formats as written (the device writes its low bits; 0 elsewhere)
     */
    public record FormatResult(String before, String after, String measuredAt, double sqnrBefore, double sqnrAfter,
                               PoolingResult pooling, int wrapped) {
    }

    /** The output format of a pooling chosen with its input's, as exported and as written. */
    public record PoolingResult(String before, String after) {
    }

    /**
     * @param definition the quantized prototxt (the export's, with {@code bias_term} set where a bias was added)
     * @param caffemodel the tuned weights for it
     * @param layers     per tuned layer, what tuning did, in net order
     */
    public record Result(NetParameter definition, NetParameter caffemodel, List<LayerResult> layers) {
    }

    private FastFinetune() {
    }

    /**
     * @param floatNet  the float net (BatchNorm/Scale already folded), with its weights
     * @param quantized the export's quantized definition of the same net
     * @param images    the calibration images
     * @param target    what each convolution's weights and bias are fitted to
     */
    public static Result run(Net floatNet, NetParameter quantized, List<ImageSet.Entry> images,
                             Transformer transformer, int batch, Progress progress, TuningTarget target) {
        return run(floatNet, quantized, images, transformer, batch, progress, target, ResumedForward.defaultBudget());
    }

    /** @param frontierBytes the most the values one pass keeps for the next to resume from may take */
    static Result run(Net floatNet, NetParameter quantized, List<ImageSet.Entry> images, Transformer transformer,
                      int batch, Progress progress, TuningTarget target, long frontierBytes) {
        FloatEngine floatEngine = new FloatEngine(floatNet);
        Map<String, List<Blob>> weights = new LinkedHashMap<>();
        floatNet.layers().forEach(l -> weights.put(l.name(), new ArrayList<>(l.weights())));
        NetParameter.Builder definition = quantized.toBuilder();
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < definition.getLayerCount(); i++) {
            order.put(definition.getLayer(i).getName(), i);
        }
        Net net = build(definition, weights);
        Set<String> tuned = net.layers().stream()
                .filter(l -> l.layerType() == LayerType.CONVOLUTION && PrecisionScheme.block(l) != null)
                .map(Layer::name).collect(Collectors.toSet());
        List<LayerResult> results = new ArrayList<>();
        // decoded once where they fit; each pass's forward runs resume where the last one's cut was
        ResumedForward forward = new ResumedForward(new RepeatedBatches(images, transformer, batch), frontierBytes);
        for (List<Layer> pass : TuningPasses.of(net.layers(), tuned)) {
            PrecisionScheme scheme = PrecisionScheme.of(net);
            FormatGroups groups = new FormatGroups(net, scheme instanceof XilinxScheme);
            Set<String> names = pass.stream().map(Layer::name).collect(Collectors.toSet());
            Map<String, FormatGroups.Group> changeable = new LinkedHashMap<>();
            for (Layer conv : pass) {
                FormatGroups.Group group = groups.of(conv.name());
                if (!group.writers().isEmpty() && names.containsAll(group.writers())) {
                    changeable.put(conv.name(), group);
                }
            }
            Collected collected;
            try (FixedPointNet fixed = new FixedPointNet(net)) { // one per pass: its arrays freed before the next
                collected = collect(net, pass, order, floatEngine, fixed, scheme, changeable, forward, images.size(),
                        progress);
            }
            Map<String, TunedConv> convs = new LinkedHashMap<>();
            for (Layer conv : pass) {
                convs.put(conv.name(), tune(net.layer(conv.name()), scheme, collected.statistics().get(conv.name()),
                        target, weights, definition, order));
            }
            Map<String, FormatResult> formats = chooseFormats(net, scheme, changeable, convs, collected, weights,
                    definition, order);
            for (TunedConv t : convs.values()) {
                LayerResult r = t.result();
                results.add(new LayerResult(r.layer(), r.sqnrPlain(), r.sqnrTuned(), r.tuned(), r.codes(),
                        formats.get(r.layer())));
            }
            net = build(definition, weights);
            NativeHeap.trim(); // what tuning the pass's layers freed (the forward runs trim after each batch)
        }
        return new Result(definition.build(), caffemodel(definition, weights), results);
    }

    /** What one pass over the images collected: the moments of each layer, the output samples of some. */
    private record Collected(Map<String, PatchStatistics> statistics, Map<String, OutputSamples> samples,
                             Map<String, Boolean> relu) {
    }

    /**
     * A convolution after its weights were tuned.
     *
     * @param codes     the codes it is written with (tuned, or plain when tuning was not kept)
     * @param bias      its float bias
     * @param biasCodes the tuned bias in codes of {@code output}, or null when tuning was not kept
     * @param ideal     per channel the bias that zeroes the tuned codes' mean error, or null
     */
    private record TunedConv(Layer conv, LayerResult result, int[] codes, NumberFormat input, NumberFormat weights,
                             NumberFormat output, float[] bias, int[] biasCodes, float[] ideal) {

        /** The bias to write for an output format: the tuned one, on that format's grid where it differs. */
        float[] biasFor(NumberFormat format) {
            if (biasCodes == null) {
                return bias;
            }
            int[] q = format.equals(output) ? biasCodes : format.quantize(ideal, 1);
            return WrittenWeights.of(q, format, 1);
        }
    }

    /**
     * The output format of every group of the pass that may change (its values all written by this pass's
     * convolutions), chosen on the samples ({@link OutputFormatChoice}); the definition and the written biases
     * follow a change. Per layer of the pass, what was done.
     */
    private static Map<String, FormatResult> chooseFormats(Net net, PrecisionScheme scheme,
            Map<String, FormatGroups.Group> changeable, Map<String, TunedConv> convs, Collected collected,
            Map<String, List<Blob>> weights, NetParameter.Builder definition, Map<String, Integer> order) {
        Map<String, FormatResult> out = new HashMap<>();
        Set<String> done = new HashSet<>();
        for (Map.Entry<String, FormatGroups.Group> e : changeable.entrySet()) {
            FormatGroups.Group group = e.getValue();
            if (!done.add(group.writers().iterator().next())) {
                continue;
            }
            List<OutputFormatChoice.Writer> writers = new ArrayList<>();
            for (String name : group.writers()) {
                TunedConv t = convs.get(name);
                writers.add(new OutputFormatChoice.Writer(t.conv(), collected.samples().get(name), t.codes(),
                        t.input(), t.weights(), collected.relu().get(name), t::biasFor));
            }
            OutputFormatChoice.Choice choice = OutputFormatChoice.choose(net, definition.build(), scheme, group,
                    writers, order);
            if (choice.changed()) {
                definition.clear().mergeFrom(choice.definition());
                for (String name : group.writers()) {
                    TunedConv t = convs.get(name);
                    List<Blob> blobs = weights.get(name);
                    Blob bias = new Blob(new int[] {t.bias().length}, t.biasFor(choice.after()));
                    if (blobs.size() > 1) {
                        blobs.set(1, bias);
                    } else {
                        blobs.add(bias);
                        definition.getLayerBuilder(order.get(name)).getConvolutionParamBuilder().setBiasTerm(true);
                    }
                }
            }
            OutputFormatChoice.PoolingFormat p = choice.pooling();
            PoolingResult pooling = p == null ? null
                    : new PoolingResult(p.pooling() + " " + OutputFormatChoice.describe(p.before()),
                            p.pooling() + " " + OutputFormatChoice.describe(p.after()));
            for (String name : group.writers()) {
                out.put(name, new FormatResult(OutputFormatChoice.describe(choice.before()),
                        OutputFormatChoice.describe(choice.after()), choice.measuredAt(),
                        sqnr(choice.signal(), choice.errorBefore()), sqnr(choice.signal(), choice.errorAfter()),
                        pooling, choice.wrapped()));
            }
        }
        for (TunedConv t : convs.values()) {
            String exported = OutputFormatChoice.describe(t.output());
            out.putIfAbsent(t.conv().name(), new FormatResult(exported, exported, null, Double.NaN, Double.NaN,
                    null, 0));
        }
        return out;
    }

    private static Collected collect(Net net, List<Layer> pass, Map<String, Integer> order,
            FloatEngine floatEngine, FixedPointNet fixed, PrecisionScheme scheme,
            Map<String, FormatGroups.Group> changeable, ResumedForward forward, int images, Progress progress) {
        Map<String, PatchStatistics> statistics = new LinkedHashMap<>();
        Map<String, OutputSamples> samples = new HashMap<>();
        Map<String, Boolean> relu = new HashMap<>();
        Map<String, NumberFormat> inputFormats = new HashMap<>();
        List<InputCapture.Reader> readers = new ArrayList<>();
        for (Layer conv : pass) {
            Layer l = net.layer(conv.name());
            int[] bottom = net.shape(l.bottoms().get(0));
            statistics.put(l.name(), new PatchStatistics(ConvGeometry.of(l.param(), bottom), bottom,
                    POSITIONS_PER_IMAGE, SEED + order.get(l.name())));
            inputFormats.put(l.name(), scheme.input(l, PrecisionScheme.block(l)));
            String reported = fixed.fusedLayers().get(l.name());
            relu.put(l.name(), reported != null && net.layer(reported).layerType() == LayerType.RELU);
            FormatGroups.Group group = changeable.get(l.name());
            if (group != null) {
                int[] top = ConvGeometry.of(l.param(), bottom).outputShape(bottom, false);
                // All positions where a pooling of the whole output is what the error is measured after.
                int positions = group.pooledBy() != null ? Math.max(POSITIONS_PER_IMAGE, top[2] * top[3])
                        : POSITIONS_PER_IMAGE;
                List<Blob> blobs = l.weights();
                float[] bias = blobs.size() > 1 ? blobs.get(1).data() : new float[top[1]];
                samples.put(l.name(), new OutputSamples(new PatchSampler(ConvGeometry.of(l.param(), bottom), bottom,
                        positions, SEED + order.get(l.name())), blobs.get(0).data(), bias, relu.get(l.name())));
            }
            readers.add(new InputCapture.Reader(l.name(), l.bottoms().get(0), order.get(l.name())));
        }
        String label = "tuning " + pass.stream().map(Layer::name).collect(Collectors.joining(", "));
        int layers = InputCapture.layersNeeded(readers); // nothing after the last reader's input is needed
        // The pass changes nothing before its first convolution (a format group's readers come after its writers).
        int cut = readers.stream().mapToInt(InputCapture.Reader::index).min().orElseThrow();
        try (Progress.Step step = progress.start(label, images)) {
            forward.run(floatEngine, fixed, order, readers, layers, cut, (floatInputs, deviceInputs, n) -> {
                for (Map.Entry<String, PatchStatistics> e : statistics.entrySet()) {
                    NumberFormat format = inputFormats.get(e.getKey());
                    float[] device = deviceInputs.of(e.getKey());
                    // The convolution reads its input in its declared format (the image is quantized here first).
                    int[] codes = format.quantize(device, device.length);
                    e.getValue().add(floatInputs.of(e.getKey()), format.dequantize(codes, device.length), n);
                    OutputSamples s = samples.get(e.getKey());
                    if (s != null) {
                        s.add(floatInputs.of(e.getKey()), codes, n);
                    }
                }
            }, step);
        }
        return new Collected(statistics, samples, relu);
    }

    private static TunedConv tune(Layer conv, PrecisionScheme scheme, PatchStatistics statistics, TuningTarget target,
            Map<String, List<Blob>> weights, NetParameter.Builder definition, Map<String, Integer> order) {
        PrecisionParameter block = PrecisionScheme.block(conv);
        List<Blob> blobs = weights.get(conv.name());
        Blob kernel = blobs.get(0);
        int channels = kernel.shape()[0];
        int k = kernel.count() / channels;
        float[] bias = blobs.size() > 1 ? blobs.get(1).data() : new float[channels];
        NumberFormat exported = scheme.weights(conv, block, kernel, false);
        NumberFormat input = scheme.input(conv, block);
        NumberFormat output = scheme.output(conv, block);
        Tuning best = null;
        double errorPlain = 0; // plain rounding in the exported format (the first candidate): what tuning must beat
        ChannelTuning.Channel[] prepared = channels(statistics, target, kernel, bias);
        for (NumberFormat format : WeightFormatCandidates.of(exported, input, output)) {
            Tuning t = Tuning.of(prepared, statistics.groups(), kernel, format, output);
            if (best == null) {
                errorPlain = t.errorPlain();
            }
            if (best == null || t.errorTuned() < best.errorTuned()) {
                best = t;
            }
        }
        boolean keep = best.errorTuned() < errorPlain;
        NumberFormat format = keep ? best.format() : exported;
        int[] codes = keep ? best.codes() : exported.quantize(kernel.data(), k);
        if (keep) {
            blobs.set(0, new Blob(kernel.shape(), WrittenWeights.of(codes, format, k)));
            Blob tunedBias = new Blob(new int[] {channels}, WrittenWeights.of(best.biasCodes(), output, 1));
            LayerParameter.Builder layer = definition.getLayerBuilder(order.get(conv.name()));
            if (blobs.size() > 1) {
                blobs.set(1, tunedBias);
            } else {
                blobs.add(tunedBias);
                layer.getConvolutionParamBuilder().setBiasTerm(true);
            }
            if (!format.equals(exported)) {
                layer.getPrecisionParamBuilder().setFlParams(((FixedPointFormat) format).fractionalBits());
            }
        }
        double signal = best.signal();
        double reportedPlain = errorPlain;
        double reportedTuned = keep ? best.errorTuned() : errorPlain;
        if (target != TuningTarget.FLOAT_OUTPUT) {
            // the report's SQNR is against the float net's output whatever the target
            ChannelTuning.Channel[] floatTarget = channels(statistics, TuningTarget.FLOAT_OUTPUT, kernel, bias);
            int[] plain = exported.quantize(kernel.data(), k);
            signal = 0;
            reportedPlain = 0;
            reportedTuned = 0;
            for (int c = 0; c < channels; c++) {
                ChannelTuning.Channel channel = floatTarget[c];
                signal += ChannelTuning.signal(channel);
                double plainError = ChannelTuning.error(channel, Arrays.copyOfRange(plain, c * k, (c + 1) * k),
                        exported.step(c % exported.channels()), output.dequantize(output.quantize(bias[c], 0), 0));
                reportedPlain += plainError;
                reportedTuned += !keep ? plainError : ChannelTuning.error(channel, Arrays.copyOfRange(codes, c * k,
                        (c + 1) * k), format.step(c % format.channels()), output.dequantize(best.biasCodes()[c], 0));
            }
        }
        LayerResult result = new LayerResult(conv.name(), sqnr(signal, reportedPlain), sqnr(signal, reportedTuned),
                keep, keep ? codes : null, null);
        return new TunedConv(conv, result, codes, input, format, output, bias, keep ? best.biasCodes() : null,
                keep ? best.ideal() : null);
    }

    /**
     * A convolution's channels tuned in one weight format.
     *
     * @param errorPlain the output error energy with plain rounding in this format and the bias as the device
     *                   rounds it
     * @param errorTuned the same with the tuned codes and bias
     */
    private record Tuning(NumberFormat format, int[] codes, int[] biasCodes, float[] ideal, double signal,
                          double errorPlain, double errorTuned) {

        /** Channels are tuned in parallel (each on its own); the sums are taken in channel order. */
        static Tuning of(ChannelTuning.Channel[] prepared, int groups, Blob kernel, NumberFormat format,
                NumberFormat output) {
            int channels = kernel.shape()[0];
            int k = kernel.count() / channels;
            int[] plain = format.quantize(kernel.data(), k);
            // Per channel, the moments times its plain codes: per group, one matrix product each.
            double[][] centeredPlain = new double[channels][];
            double[][] qqPlain = new double[channels][];
            int perGroup = channels / groups;
            IntStream.range(0, groups).parallel().forEach(g -> {
                ChannelTuning.Group group = prepared[g * perGroup].group();
                double[] codes = new double[perGroup * k];
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = plain[g * perGroup * k + i];
                }
                double[][] centered = ChannelTuning.times(group.centered(), codes, perGroup);
                double[][] qq = ChannelTuning.times(group.m().qq(), codes, perGroup);
                System.arraycopy(centered, 0, centeredPlain, g * perGroup, perGroup);
                System.arraycopy(qq, 0, qqPlain, g * perGroup, perGroup);
            });
            ChannelTuning.Result[] tuned = IntStream.range(0, channels).parallel().mapToObj(c -> {
                int channel = c % format.channels();
                // The codes the runtime can reach (a threshold format clips to +-th, so never -2^(bw-1)).
                int min = format.quantize(-Float.MAX_VALUE, channel);
                int max = format.quantize(Float.MAX_VALUE, channel);
                return ChannelTuning.tune(prepared[c], Arrays.copyOfRange(plain, c * k, (c + 1) * k),
                        centeredPlain[c], qqPlain[c], format.step(channel), min, max, output);
            }).toArray(ChannelTuning.Result[]::new);
            int[] codes = new int[plain.length];
            int[] biasCodes = new int[channels];
            float[] ideal = new float[channels];
            double signal = 0;
            double errorPlain = 0;
            double errorTuned = 0;
            for (int c = 0; c < channels; c++) {
                ChannelTuning.Result r = tuned[c];
                System.arraycopy(r.codes(), 0, codes, c * k, k);
                biasCodes[c] = r.biasCode();
                ideal[c] = (float) r.idealBias();
                signal += r.signal();
                errorPlain += r.errorPlain();
                errorTuned += r.errorTuned();
            }
            return new Tuning(format, codes, biasCodes, ideal, signal, errorPlain, errorTuned);
        }
    }

    /**
     * Each output channel's weights and bias with its group's moments and what the tuning derives from them and
     * not from the weight format: made once for all the formats tried (in parallel, each group on its own).
     */
    private static ChannelTuning.Channel[] channels(PatchStatistics statistics, TuningTarget target, Blob kernel,
                                                    float[] bias) {
        int channels = kernel.shape()[0];
        int perGroup = channels / statistics.groups();
        ChannelTuning.Channel[] out = new ChannelTuning.Channel[channels];
        IntStream.range(0, statistics.groups()).parallel().forEach(g -> {
            PatchStatistics.Moments m = statistics.moments(g);
            ChannelTuning.Group group = ChannelTuning.Group.of(target == TuningTarget.DEVICE_INPUT
                    ? m.onDeviceInput() : m);
            System.arraycopy(ChannelTuning.Channel.of(group, kernel.data(), g * perGroup, perGroup, bias), 0, out,
                    g * perGroup, perGroup);
        });
        return out;
    }

    private static double sqnr(double signal, double error) {
        return error == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / error);
    }

    private static Net build(NetParameter.Builder definition, Map<String, List<Blob>> weights) {
        return NetLoader.build(definition.build(), caffemodel(definition, weights));
    }

    /** The definition's layers with their blobs: a caffemodel for it. */
    static NetParameter caffemodel(NetParameter.Builder definition, Map<String, List<Blob>> weights) {
        NetParameter.Builder out = definition.clone().clearLayer();
        for (LayerParameter layer : definition.getLayerList()) {
            LayerParameter.Builder stored = layer.toBuilder().clearPrecisionParam();
            weights.getOrDefault(layer.getName(), List.of()).forEach(b -> stored.addBlobs(BlobProtos.of(b)));
            out.addLayer(stored);
        }
        return out.build();
    }
}
