package xportdnn.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
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
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.sim.FixedPointNet;

/**
 * Fast finetuning: the weights and biases of every convolution the device computes, tuned layer by layer in net
 * order so that its output on the calibration images stays close to the float net's although its input comes
 * from the quantized (and already tuned) layers before it. Per layer, one pass of the float net and the simulator
 * over the images collects the input moments ({@link PatchStatistics}); then each output channel gets its rounding
 * (up or down per weight, {@link RoundingSolver}) and a bias correction ({@link ChannelTuning}). A layer whose
 * output error does not drop is left as it was. The formats in the prototxt stay as the export chose them; the
 * tuned weights are written as floats the runtime quantizes to exactly the chosen codes ({@link WrittenWeights}).
 */
public final class FastFinetune {

    /** Output positions one image contributes to a layer's statistics. */
    static final int POSITIONS_PER_IMAGE = 256;
    private static final long SEED = 20240601L;

    /**
     * One tuned layer.
     *
     * @param layer      the convolution
     * @param sqnrPlain  its output SQNR (dB, before the activation) with plain rounding and the bias as it was
     * @param sqnrTuned  the same after tuning
     * @param tuned      whether the tuned weights were kept (the error dropped)
     * @param codes      the weight codes written (output channel major), or null when not tuned
     */
    public record LayerResult(String layer, double sqnrPlain, double sqnrTuned, boolean tuned, int[] codes) {
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
     */
    public static Result run(Net floatNet, NetParameter quantized, List<ImageSet.Entry> images,
                             Transformer transformer, int batch, Progress progress) {
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
        for (List<Layer> pass : TuningPasses.of(net.layers(), tuned)) {
            FixedPointNet fixed = new FixedPointNet(net);
            PrecisionScheme scheme = PrecisionScheme.of(net);
            Map<String, PatchStatistics> statistics = collect(net, pass, order, floatEngine, fixed, scheme, images,
                    transformer, batch, progress);
            for (Layer conv : pass) {
                results.add(tune(net.layer(conv.name()), scheme, statistics.get(conv.name()), weights, definition,
                        order));
            }
            net = build(definition, weights);
        }
        return new Result(definition.build(), caffemodel(definition, weights), results);
    }

    private static Map<String, PatchStatistics> collect(Net net, List<Layer> pass, Map<String, Integer> order,
            FloatEngine floatEngine, FixedPointNet fixed, PrecisionScheme scheme, List<ImageSet.Entry> images,
            Transformer transformer, int batch, Progress progress) {
        Map<String, PatchStatistics> statistics = new LinkedHashMap<>();
        Map<String, NumberFormat> inputFormats = new HashMap<>();
        List<InputCapture.Reader> readers = new ArrayList<>();
        for (Layer conv : pass) {
            Layer l = net.layer(conv.name());
            int[] bottom = net.shape(l.bottoms().get(0));
            statistics.put(l.name(), new PatchStatistics(ConvGeometry.of(l.param(), bottom), bottom,
                    POSITIONS_PER_IMAGE, SEED + order.get(l.name())));
            inputFormats.put(l.name(), scheme.input(l, PrecisionScheme.block(l)));
            readers.add(new InputCapture.Reader(l.name(), l.bottoms().get(0), order.get(l.name())));
        }
        String label = "tuning " + pass.stream().map(Layer::name).collect(Collectors.joining(", "));
        try (Progress.Step step = progress.start(label, images.size())) {
            Batches.run(images, transformer, batch, (data, n, first) -> {
                InputCapture floatInputs = new InputCapture(order, readers);
                floatEngine.forward(data, n, floatInputs);
                InputCapture deviceInputs = new InputCapture(order, readers);
                fixed.forward(data, n, deviceInputs);
                for (Map.Entry<String, PatchStatistics> e : statistics.entrySet()) {
                    NumberFormat format = inputFormats.get(e.getKey());
                    float[] device = deviceInputs.of(e.getKey());
                    // The convolution reads its input in its declared format (the image is quantized here first).
                    float[] codes = format.dequantize(format.quantize(device, device.length), device.length);
                    e.getValue().add(floatInputs.of(e.getKey()), codes, n);
                }
            }, step);
        }
        return statistics;
    }

    private static LayerResult tune(Layer conv, PrecisionScheme scheme, PatchStatistics statistics,
            Map<String, List<Blob>> weights, NetParameter.Builder definition, Map<String, Integer> order) {
        PrecisionParameter block = PrecisionScheme.block(conv);
        List<Blob> blobs = weights.get(conv.name());
        Blob kernel = blobs.get(0);
        int channels = kernel.shape()[0];
        int k = kernel.count() / channels;
        float[] bias = blobs.size() > 1 ? blobs.get(1).data() : new float[channels];
        NumberFormat format = scheme.weights(conv, block, kernel, false);
        NumberFormat output = scheme.output(conv, block);
        int[] plain = format.quantize(kernel.data(), k);
        int[] codes = new int[plain.length];
        int[] biasCodes = new int[channels];
        double signal = 0;
        double errorPlain = 0;
        double errorTuned = 0;
        int perGroup = channels / statistics.groups();
        for (int c = 0; c < channels; c++) {
            float[] w = Arrays.copyOfRange(kernel.data(), c * k, (c + 1) * k);
            int[] start = Arrays.copyOfRange(plain, c * k, (c + 1) * k);
            int channel = c % format.channels();
            // The codes the runtime can reach (a threshold format clips to +-th, so never -2^(bw-1)).
            int min = format.quantize(-Float.MAX_VALUE, channel);
            int max = format.quantize(Float.MAX_VALUE, channel);
            ChannelTuning.Result r = ChannelTuning.tune(statistics.moments(c / perGroup), w, start,
                    format.step(channel), min, max, bias[c], output);
            System.arraycopy(r.codes(), 0, codes, c * k, k);
            biasCodes[c] = r.biasCode();
            signal += r.signal();
            errorPlain += r.errorPlain();
            errorTuned += r.errorTuned();
        }
        boolean keep = errorTuned < errorPlain;
        if (keep) {
            blobs.set(0, new Blob(kernel.shape(), WrittenWeights.of(codes, format, k)));
            Blob tunedBias = new Blob(new int[] {channels}, WrittenWeights.of(biasCodes, output, 1));
            if (blobs.size() > 1) {
                blobs.set(1, tunedBias);
            } else {
                blobs.add(tunedBias);
                definition.getLayerBuilder(order.get(conv.name())).getConvolutionParamBuilder().setBiasTerm(true);
            }
        }
        return new LayerResult(conv.name(), sqnr(signal, errorPlain), sqnr(signal, errorTuned), keep,
                keep ? codes : null);
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
