package xportdnn.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import xportdnn.calib.ChannelStatistics;
import xportdnn.export.XilinxExporter;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.pipeline.Calibration;
import xportdnn.pipeline.ExportScheme;
import xportdnn.pipeline.Notice;
import xportdnn.pipeline.SupportedLayersCheck;
import xportdnn.precision.AciqScheme;
import xportdnn.precision.BlockFloat;
import xportdnn.precision.BlockFloatScheme;
import xportdnn.precision.F8NetScheme;
import xportdnn.precision.F8NetScheme.Lengths;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ChannelExponents;
import xportdnn.quant.ClassScores;
import xportdnn.quant.F8NetFormats;
import xportdnn.quant.ThresholdMethod;
import xportdnn.sim.FixedPointNet;

/** How each scheme turns the float net and its calibration into a quantized net the simulator runs. */
final class SchemeNets {

    /** The width of aciq's signed activations, which the paper does not quantize. */
    static final int ACIQ_WIDE_BITS = 16;

    private SchemeNets() {
    }

    /**
     * The quantized net of {@code spec}: CHaiDNN's modes exactly as the exporter writes them; {@code naive:B} as
     * Xilinx blocks holding each activation's calibrated maximum and each layer's largest weight magnitude for all
     * its channels (one scale per tensor, the baseline the papers start from); {@code aciq:B} as Xilinx blocks holding
     * ACIQ's Laplace clipping values (algorithms.md D) as activation thresholds ({@link #aciq}), the weights left to
     * {@link AciqScheme}; {@code bfp:M} as Xilinx blocks holding the weights' exponents and no activation threshold
     * ({@link #blockFloat}: the {@link #simulator} gives every activation blob an exponent per channel);
     * {@code f8net:8} as F8Net blocks ({@link F8NetFormats}).
     *
     * @param net            the float net, BatchNorm/Scale folded into the convolutions (for the literature's
     *                       schemes, its InnerProducts written as convolutions: {@link InnerProductConvolutions})
     * @param fullyConnected the layers of {@code net} that were InnerProducts: bfp gives their weights one exponent
     *                       per layer, as BFP's reference does
     */
    static ExportScheme.Exported quantize(SchemeSpec spec, Net net, Calibration calibration,
                                          Set<String> fullyConnected) {
        InParamsOut bits = new InParamsOut(spec.bits(), spec.bits(), spec.bits());
        return switch (spec.family()) {
            case XILINX -> ExportScheme.xilinx(ThresholdMethod.parse(ThresholdMethod.DEFAULT), bits)
                    .export(net, calibration);
            case DYNAMICFIXED -> ExportScheme.dynamicFixed(bits, true).export(net, calibration);
            case NAIVE -> {
                ExportScheme.Exported max = ExportScheme.simulatedXilinx(ThresholdMethod.parse("max"), bits)
                        .export(net, calibration);
                yield new ExportScheme.Exported(perTensorWeights(max.net(), layer -> true), null,
                        simulatorOnly(max.notices()),
                        max.summary());
            }
            case BFP -> {
                // the walk gives the blocks (which layers, their widths, each weight channel's range); its per-blob
                // activation thresholds, of the cheapest method, are dropped, and so are its warnings of biases
                // clipped at them: the simulator's per-channel exponents cover every bias (ChannelExponents)
                ExportScheme.Exported walk = ExportScheme.xilinx(ThresholdMethod.parse("max"), bits)
                        .export(net, calibration);
                // BFP's reference quantizes a fully connected layer's weights "as whole": one exponent
                NetParameter bfp = blockFloat(perTensorWeights(walk.net(), fullyConnected::contains), spec.bits());
                yield new ExportScheme.Exported(bfp, null, ownClips(walk.notices()), "wrote "
                        + bfp.getLayerList().stream().filter(LayerParameter::hasPrecisionParam).count()
                        + " block-floating-point precision_param blocks (weight exponents per output channel; "
                        + "activation exponents per channel, from per-channel calibration statistics)");
            }
            case ACIQ -> aciq(net, calibration, spec.bits());
            case F8NET -> {
                Map<String, Lengths> formats = F8NetFormats.choose(net, calibration.statistics());
                yield new ExportScheme.Exported(f8net(net, formats), null, List.of(), "wrote " + formats.size()
                        + " F8Net precision_param blocks (fractional lengths of least squared error, the weights' per "
                        + "output channel, the activations' on " + calibration.images() + " calibration images)");
            }
        };
    }

    /**
     * ACIQ's activations as the paper's code quantizes them (submission2019/cnn-quantization wraps the ReLUs: it
     * quantizes their outputs and nothing else). A blob that is never negative (a ReLU's output, one a ReLU
     * rewrites in place, a pooling or Concat of such; {@link F8NetScheme}'s analysis) gets unsigned B-bit codes,
     * 2^B - 1 steps over [0, alpha], with the half-range clip alpha = mean + k(B + 1) b (a one-sided Laplace of
     * scale b at B bits has the error of the two-sided one at B + 1: the paper's {@code alpha_laplace_positive}).
     * Unsigned B-bit codes over [0, alpha] have the step of the signed (B + 1)-bit Xilinx format of threshold alpha,
     * and a non-negative blob uses only its codes 0..2^B - 1, so such a blob is written in that format. Every other
     * blob (the image, a convolution output a residual sum reads), which the paper leaves unquantized, is held in
     * {@value #ACIQ_WIDE_BITS}-bit signed codes clipped at |mean| + k(16) b. Three Xilinx walks give the thresholds
     * (each blob consistent between its writer and its readers, whose signedness is the same).
     */
    private static ExportScheme.Exported aciq(Net net, Calibration calibration, int b) {
        ThresholdMethod laplace = ThresholdMethod.parse("aciq-laplace");
        ExportScheme.Exported weightsOnly = ExportScheme.simulatedXilinx(laplace, new InParamsOut(b, b, b))
                .export(net, calibration);
        NetParameter unsigned = ExportScheme.simulatedXilinx(laplace, new InParamsOut(b + 1, b, b + 1))
                .export(net, calibration).net();
        NetParameter wide = ExportScheme.simulatedXilinx(laplace, new InParamsOut(ACIQ_WIDE_BITS, b, ACIQ_WIDE_BITS))
                .export(net, calibration).net();
        F8NetScheme signs = new F8NetScheme(net);
        NetParameter.Builder out = weightsOnly.net().toBuilder();
        for (int i = 0; i < out.getLayerCount(); i++) {
            LayerParameter.Builder layer = out.getLayerBuilder(i);
            if (!layer.hasPrecisionParam()) {
                continue;
            }
            PrecisionParameter.Builder block = layer.getPrecisionParamBuilder();
            Layer l = net.layer(layer.getName());
            if (block.hasThLayerIn()) {
                PrecisionParameter from = (signs.unsignedInput(l) ? unsigned : wide).getLayer(i).getPrecisionParam();
                block.setBwLayerIn(from.getBwLayerIn()).setThLayerIn(from.getThLayerIn());
            }
            if (block.hasThLayerOut()) {
                PrecisionParameter from = (signs.unsignedOutput(l) ? unsigned : wide).getLayer(i).getPrecisionParam();
                block.setBwLayerOut(from.getBwLayerOut()).setThLayerOut(from.getThLayerOut());
            }
        }
        classifierAt8Bits(net, calibration, b, out);
        NetParameter aciq = out.build();
        List<Notice> notices = new ArrayList<>(ownClips(weightsOnly.notices()));
        clippedBiases(net, aciq).forEach(w -> notices.add(Notice.warning(w)));
        return new ExportScheme.Exported(aciq, null, notices, weightsOnly.summary());
    }

    /**
     * ACIQ's classifier as the paper's code quantizes it (submission2019/cnn-quantization: the 1000-class layer's
     * weights and output at int8 whatever the scheme's bits, the output without clipping): the layers writing class
     * scores ({@link ClassScores}) keep {@value #ACIQ_CLASSIFIER_BITS}-bit weights (the scheme's per-channel widths
     * averaging that) and a signed {@value #ACIQ_CLASSIFIER_BITS}-bit output clipped at its calibrated max; at more
     * bits than that, the scheme's.
     */
    private static void classifierAt8Bits(Net net, Calibration calibration, int b, NetParameter.Builder out) {
        Set<String> classifiers = ClassScores.layers(net);
        if (b >= ACIQ_CLASSIFIER_BITS || classifiers.isEmpty()) {
            return;
        }
        int bits = ACIQ_CLASSIFIER_BITS;
        NetParameter max = ExportScheme.simulatedXilinx(ThresholdMethod.parse("max"), new InParamsOut(bits, bits, bits))
                .export(net, calibration).net();
        for (int i = 0; i < out.getLayerCount(); i++) {
            LayerParameter.Builder layer = out.getLayerBuilder(i);
            if (classifiers.contains(layer.getName()) && layer.hasPrecisionParam()) {
                layer.getPrecisionParamBuilder().setBwParams(bits).setBwLayerOut(bits)
                        .setThLayerOut(max.getLayer(i).getPrecisionParam().getThLayerOut());
            }
        }
    }

    /** The bits of aciq's classifier (its weights and its output), at least. */
    static final int ACIQ_CLASSIFIER_BITS = 8;

    /**
     * The notices of a Xilinx walk that matter to a scheme only the simulator runs: not the stand-in written for a
     * threshold of 0, which CHaiDNN's runtime needs (it divides by thresholds) and the simulator does not; nor the
     * layers CHaiDNN's supported-layers table does not list, the device's limits (and the convolutions written for
     * InnerProducts, which are no layers of the user's net).
     */
    private static List<Notice> simulatorOnly(List<Notice> notices) {
        return notices.stream().filter(n -> !n.text().contains(XilinxExporter.ZERO_THRESHOLD)
                && !n.text().contains(SupportedLayersCheck.DEVICE_MAY_NOT_RUN)).toList();
    }

    /**
     * {@link #simulatorOnly} for a scheme whose activation clips replace the walk's thresholds (aciq, bfp): also
     * without the walk's warnings of biases clipped at those thresholds.
     */
    private static List<Notice> ownClips(List<Notice> notices) {
        return simulatorOnly(notices).stream().filter(n -> !n.text().contains(XILINX_BIAS_CLIP)).toList();
    }

    /** What the Xilinx walk's warning of a clipped bias says (CHaiDNN's runtime, at thresholds aciq replaces). */
    static final String XILINX_BIAS_CLIP = "the runtime clips the bias";

    /**
     * Per convolution of the quantized net whose (folded) bias reaches past its final th_layer_out, a warning: the
     * simulated requantization clips a bias there, as the device's does.
     */
    static List<String> clippedBiases(Net net, NetParameter quantized) {
        List<String> out = new ArrayList<>();
        for (LayerParameter layer : quantized.getLayerList()) {
            Layer l = net.layer(layer.getName());
            if (l.layerType() != LayerType.CONVOLUTION || l.weights().size() < 2 || !layer.hasPrecisionParam()
                    || !layer.getPrecisionParam().hasThLayerOut()) {
                continue;
            }
            float th = layer.getPrecisionParam().getThLayerOut();
            float[] bias = l.weights().get(1).data();
            long clipped = IntStream.range(0, bias.length).filter(c -> Math.abs(bias[c]) > th).count();
            if (clipped > 0) {
                out.add(String.format(Locale.ROOT, "layer '%s': the bias of %d of %d channels is beyond its output "
                        + "clip %.4g, where the requantization clips it (as the device's does)", l.name(), clipped,
                        bias.length, th));
            }
        }
        return out;
    }

    /** The float net with an F8Net block on every layer {@code formats} names. */
    static NetParameter f8net(Net net, Map<String, Lengths> formats) {
        NetParameter.Builder out = net.definition().toBuilder();
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            layer.clearPrecisionParam();
            Lengths fl = formats.get(layer.getName());
            if (fl != null) {
                layer.setPrecisionParam(F8NetScheme.block(LayerType.of(layer.getType()), fl));
            }
        }
        return out.build();
    }

    /**
     * The simulator of a quantized net of {@code spec}: ACIQ's own scheme for {@code aciq:B} (the blocks hold its
     * activation clips and the weight budget, {@link AciqScheme}), BFP's for {@code bfp:M} (an exponent per channel
     * of every activation blob, {@link ChannelExponents} from {@code channels}; the weights' exponents in the
     * blocks; {@link BlockFloatScheme}), the scheme the blocks state otherwise.
     *
     * @param channels per layer, the per-channel statistics of its output ({@link #channelLayers}); only bfp reads
     *                 them
     */
    static FixedPointNet simulator(SchemeSpec spec, Net quantized, Map<String, ChannelStatistics> channels) {
        return switch (spec.family()) {
            case ACIQ -> new FixedPointNet(quantized, new AciqScheme());
            case BFP -> new FixedPointNet(quantized, new BlockFloatScheme(ChannelExponents.of(quantized, channels,
                    spec.bits()), ChannelExponents.widerMantissas(quantized)));
            default -> new FixedPointNet(quantized);
        };
    }

    /** The layers whose per-channel statistics {@link #simulator} needs for {@code specs}: every layer for bfp. */
    static Set<String> channelLayers(Net net, List<SchemeSpec> specs) {
        return specs.stream().anyMatch(s -> s.family() == SchemeSpec.Family.BFP)
                ? net.layers().stream().map(Layer::name).collect(Collectors.toSet()) : Set.of();
    }

    /**
     * The blocks of bfp:M: each weight channel's threshold on the block-floating-point grid of {@code m}-bit
     * mantissas ({@link BlockFloat}: the exponent of its largest magnitude), the activation thresholds removed (the
     * simulator's scheme has an exponent per channel of every activation blob; a blob it had none for would be an
     * error, not a silent per-blob threshold).
     */
    static NetParameter blockFloat(NetParameter net, int m) {
        NetParameter.Builder out = net.toBuilder();
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            if (!layer.hasPrecisionParam()) {
                continue;
            }
            PrecisionParameter.Builder block = layer.getPrecisionParamBuilder().clearThLayerIn().clearThLayerOut();
            for (int c = 0; c < block.getThParamsCount(); c++) {
                block.setThParams(c, (float) BlockFloat.threshold(BlockFloat.exponent(block.getThParams(c)), m));
            }
        }
        return out.build();
    }

    /**
     * The net with the per-channel weight thresholds of every block of a layer {@code which} names replaced by their
     * largest: one scale per tensor.
     */
    static NetParameter perTensorWeights(NetParameter net, Predicate<String> which) {
        NetParameter.Builder out = net.toBuilder();
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            if (!layer.hasPrecisionParam() || layer.getPrecisionParam().getThParamsCount() == 0
                    || !which.test(layer.getName())) {
                continue;
            }
            PrecisionParameter.Builder block = layer.getPrecisionParamBuilder();
            float max = 0;
            for (float t : block.getThParamsList()) {
                max = Math.max(max, t);
            }
            for (int c = 0; c < block.getThParamsCount(); c++) {
                block.setThParams(c, max);
            }
        }
        return out.build();
    }
}
