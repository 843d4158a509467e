package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.ShapeInference;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.quant.BatchNormFusion;

/**
 * A warning per layer outside what CHaiDNN's docs/SUPPORTED_LAYERS.md lists: a device convolution's filter sizes 1x1,
 * 3x3, 5x5, 7x7 and 11x11 with the same stride on both axes and dilation 6 only; fewer than 4096 input and output
 * feature maps for a device convolution or pooling; a Permute of the order 0, 2, 3, 1 only. Warnings, not refusals:
 * the table is all that says so (what the runtime does with such a layer is not known here); the simulator computes
 * the layers as Caffe defines them.
 *
 * <p>One warning per layer kind, naming its layers: fewer than 2048 feature maps for a BatchNorm or Scale the device
 * runs on its own. The runtime folds a BatchNorm followed by a Scale that follow a Convolution into that
 * convolution's weights (xtract_opt.cpp, {@code opt_conv_bn_scale} and {@code fuseBNScaleConvParams}), which then
 * runs as a convolution, under the convolution's 4096; any other BatchNorm followed by a Scale runs as one op
 * (OPCODE_BN, {@code opt_batchNorm}) on the convolution kernel, the table's 2048. And a Deconvolution written with
 * another width than 16 ({@link #deconvolutionWidths}).
 *
 * <p>Two warnings say the runtime stops at a layer, from its sources (Xilinx/CHaiDNN at 271b3cc, the latest the
 * index holds, and 84408a9 alike): a BatchNorm or Scale without its partner ({@link #unpaired}), and a Deconvolution
 * its parser refuses ({@link #deconvolution}). They are warnings too, so that validate can still be run.
 */
public final class SupportedLayersCheck {

    /** The words every warning of this check carries (compare leaves them out for schemes only the simulator runs). */
    public static final String DEVICE_MAY_NOT_RUN = "so the device may not run";

    private static final Set<Integer> KERNELS = Set.of(1, 3, 5, 7, 11);
    /** The one dilation the table lists (DeepLab's and SSD's fc6). */
    private static final int DILATION = 6;
    /** The one Permute order the table lists (SSD's: channels last). */
    private static final int[] PERMUTE_ORDER = {0, 2, 3, 1};
    /** The table's bound on input and output feature maps: fewer than this many. */
    private static final int FEATURE_MAPS = 4096;
    /** The table's bound for a BatchNorm or Scale computed as its own op on the convolution kernel. */
    private static final int BATCH_NORM_FEATURE_MAPS = 2048;
    /** The one width the table lists for Deconvolution. */
    private static final int DECONVOLUTION_BITS = 16;

    private SupportedLayersCheck() {
    }

    /** The warnings for {@code net} as loaded (the export's, and {@code inspect}'s, which quantizes nothing). */
    public static List<Notice> of(Net net) {
        List<Notice> notices = new ArrayList<>();
        Set<Layer> fused = BatchNormFusion.find(net).values().stream().flatMap(f -> f.fusedLayers().stream())
                .collect(Collectors.toSet());
        Map<Layer, Layer> pairs = pairs(net);
        Set<Layer> unpaired = unpaired(net, pairs);
        notices.addAll(unpairedWarning(unpaired, fused));
        notices.addAll(rectifiedPairs(net, pairs, fused));
        notices.addAll(standaloneBatchNorms(net, fused, unpaired));
        for (Layer layer : net.layers()) {
            LayerType type = layer.layerType();
            if (type == LayerType.PERMUTE) {
                permute(layer, net.shape(layer.bottoms().get(0)).length).ifPresent(notices::add);
                continue;
            }
            if (type == LayerType.DECONVOLUTION && ChaidnnSupport.of(layer.param()) == ChaidnnSupport.DEVICE) {
                deconvolution(layer, ConvGeometry.of(layer.param(), net.shape(layer.bottoms().get(0))))
                        .ifPresent(notices::add);
                continue;
            }
            if ((type != LayerType.CONVOLUTION && type != LayerType.POOLING)
                    || ChaidnnSupport.of(layer.param()) != ChaidnnSupport.DEVICE) {
                continue;
            }
            int[] in = net.shape(layer.bottoms().get(0));
            int[] out = net.shape(layer.tops().get(0));
            if (type == LayerType.CONVOLUTION) {
                geometry(layer, ConvGeometry.of(layer.param(), in)).ifPresent(notices::add);
            }
            if (in.length > 1 && out.length > 1 && (in[1] >= FEATURE_MAPS || out[1] >= FEATURE_MAPS)) {
                notices.add(Notice.warning("layer '" + layer.name() + "' (" + layer.type() + ", " + in[1]
                        + " input and " + out[1] + " output feature maps): CHaiDNN's docs/SUPPORTED_LAYERS.md lists "
                        + "fewer than " + FEATURE_MAPS + " of each, " + DEVICE_MAY_NOT_RUN + " it as written; "
                        + "validate simulates it as Caffe defines it"));
            }
        }
        return notices;
    }

    /**
     * The device's BatchNorms without a Scale that reads their output (the first later layer to read it, reading
     * nothing else), and its Scales that are no such partner. CHaiDNN's runtime (xtract_opt.cpp,
     * xlayer_sequence_generator) computes a BatchNorm only with that Scale: {@code opt_conv_bn_scale} fuses the pair
     * into the Convolution before it ({@code bn_flag==1 && scale_flag==1}), {@code opt_batchNorm} makes any other
     * pair one OPCODE_BN op; nothing takes a BatchNorm or a Scale alone ({@code opt_scale} is never called), so
     * {@code update_xlayer_opcode} finds no opcode for its type and exits ({@code [EO005] Layer opcode: Layer is not
     * support}).
     */
    private static Set<Layer> unpaired(Net net, Map<Layer, Layer> pairs) {
        Set<Layer> paired = new HashSet<>(pairs.keySet());
        paired.addAll(pairs.values());
        Set<Layer> unpaired = new LinkedHashSet<>();
        for (Layer l : net.layers()) {
            if ((l.layerType() == LayerType.BATCH_NORM || l.layerType() == LayerType.SCALE) && !paired.contains(l)
                    && ChaidnnSupport.of(l.param()) == ChaidnnSupport.DEVICE) {
                unpaired.add(l);
            }
        }
        return unpaired;
    }

    /** Each BatchNorm with the Scale that reads its output (the first later layer to read it, reading nothing else). */
    private static Map<Layer, Layer> pairs(Net net) {
        Map<Layer, Layer> pairs = new LinkedHashMap<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer bn = layers.get(i);
            if (bn.layerType() == LayerType.BATCH_NORM) {
                firstReader(layers, i, bn.tops().get(0))
                        .filter(l -> l.layerType() == LayerType.SCALE && l.bottoms().size() == 1)
                        .ifPresent(scale -> pairs.put(bn, scale));
            }
        }
        return pairs;
    }

    /** The first layer after {@code layers[index]} that reads {@code blob}. */
    private static Optional<Layer> firstReader(List<Layer> layers, int index, String blob) {
        return layers.subList(index + 1, layers.size()).stream().filter(l -> l.bottoms().contains(blob)).findFirst();
    }

    /**
     * The warning naming the BatchNorm/Scale pairs the device runs as an op of their own (not fused into a
     * Convolution) whose output no plain ReLU reads next, if any. That op always ends in a ReLU: CHaiDNN's kernel
     * (design/conv/src/xi_convolution.hpp at 452a5fa, ReadNormData) computes OPCODE_BN with norm flag set 3, whose
     * relu flag is 1 whatever the net says (the runtime's ReLU flag, conv_desc.relu_en, is not read by that set), so
     * the device zeroes the negative outputs Caffe keeps. Pre-activation ResNets and DenseNets put a ReLU there.
     */
    private static List<Notice> rectifiedPairs(Net net, Map<Layer, Layer> pairs, Set<Layer> fused) {
        List<Layer> layers = net.layers();
        List<String> named = new ArrayList<>();
        pairs.forEach((bn, scale) -> {
            if (fused.contains(bn) || ChaidnnSupport.of(bn.param()) != ChaidnnSupport.DEVICE) {
                return;
            }
            boolean relu = firstReader(layers, layers.indexOf(scale), scale.tops().get(0)).filter(Layer::plainRelu)
                    .isPresent();
            if (!relu) {
                named.add("'" + bn.name() + "' and '" + scale.name() + "'");
            }
        });
        if (named.isEmpty()) {
            return List.of();
        }
        return List.of(Notice.warning("BatchNorm/Scale pair" + (named.size() == 1 ? " " : "s ")
                + String.join(", ", named) + " with no ReLU after: CHaiDNN runs a pair not fused into a Convolution "
                + "as one op of its own, and its kernel ends that op with a ReLU whatever the net says (xi_convolution"
                + ".hpp, ReadNormData, norm flag set 3), " + DEVICE_MAY_NOT_RUN + " them as written: the device "
                + "zeroes the negative outputs Caffe keeps; validate computes them as Caffe defines them"));
    }

    /**
     * The one warning naming the {@link #unpaired} BatchNorms and Scales, if any; with the hint of --fuse_bn where
     * one of them is in a chain it folds ({@code fused}).
     */
    private static List<Notice> unpairedWarning(Set<Layer> unpaired, Set<Layer> fused) {
        if (unpaired.isEmpty()) {
            return List.of();
        }
        List<String> named = unpaired.stream().map(l -> "'" + l.name() + "' (" + (l.layerType() == LayerType.BATCH_NORM
                ? "BatchNorm, no Scale reads its output" : "Scale, reads no BatchNorm's output") + ")").toList();
        boolean foldable = unpaired.stream().anyMatch(fused::contains);
        return List.of(Notice.warning("BatchNorm/Scale" + layers(named) + " without its partner: CHaiDNN's runtime "
                + "computes a BatchNorm only with the Scale that reads its output, fused into the Convolution before "
                + "them or as one op of their own (xtract_opt.cpp, opt_conv_bn_scale and opt_batchNorm), and stops at "
                + "a BatchNorm or Scale left alone ([EO005] Layer opcode: Layer is not support), " + DEVICE_MAY_NOT_RUN
                + " them as written; give each a partner that changes nothing (a Scale of 1 after a BatchNorm, a "
                + "BatchNorm of mean 0 and variance 1 before a Scale)" + (foldable ? ", or fold the ones after a "
                + "Convolution into it here with --fuse_bn --quantized_weights W" : "") + "; validate computes "
                + "them as written"));
    }

    /**
     * Per kind, BatchNorm then Scale, the warning for the device's layers of that kind with 2048 or more feature maps
     * that no Convolution's fused chain takes in ({@link BatchNormFusion}) and that have their partner (the
     * {@code unpaired} ones are warned of as such).
     */
    private static List<Notice> standaloneBatchNorms(Net net, Set<Layer> fused, Set<Layer> unpaired) {
        Map<LayerType, List<String>> wide = new LinkedHashMap<>();
        for (LayerType type : List.of(LayerType.BATCH_NORM, LayerType.SCALE)) {
            List<String> named = net.layers().stream()
                    .filter(l -> l.layerType() == type && !fused.contains(l) && !unpaired.contains(l)
                            && ChaidnnSupport.of(l.param()) == ChaidnnSupport.DEVICE)
                    .filter(l -> {
                        int[] shape = net.shape(l.bottoms().get(0));
                        return shape.length > 1 && shape[1] >= BATCH_NORM_FEATURE_MAPS;
                    })
                    .map(l -> "'" + l.name() + "' (" + net.shape(l.bottoms().get(0))[1] + " feature maps)").toList();
            if (!named.isEmpty()) {
                wide.put(type, named);
            }
        }
        List<Notice> notices = new ArrayList<>();
        wide.forEach((type, named) -> notices.add(Notice.warning(type.typeName() + layers(named)
                + ", not fused into a preceding Convolution: CHaiDNN's "
                + "docs/SUPPORTED_LAYERS.md lists fewer than " + BATCH_NORM_FEATURE_MAPS + " input and output feature "
                + "maps for a BatchNorm or Scale the device computes on its own (one fused into a convolution is the "
                + "convolution's, fewer than " + FEATURE_MAPS + "), " + DEVICE_MAY_NOT_RUN + " them as written; "
                + "validate computes them as Caffe defines them")));
        return notices;
    }

    /**
     * The warning for the Deconvolutions of {@code written}, an exported net, whose precision block gives another width
     * than 16 for their input, weights or output, if any. The table lists Deconvolution for 16 bits only; CHaiDNN's
     * runtime takes 8 or 6 without a word: it runs its 16-bit Deconvolution kernel (16-bit input, weights and bias
     * held in 16 bits, a 32-bit output; kernelinfo_class.cpp) and, in Xilinx mode, quantizes the weights to
     * {@code bw_params} bits of their {@code th_params} and the bias to {@code bw_layer_out} bits
     * (xi_dnn_deconv_utils.hpp, loadDeconvData and loadDeconvBiasData).
     */
    static List<Notice> deconvolutionWidths(NetParameter written) {
        List<String> named = new ArrayList<>();
        for (LayerParameter layer : written.getLayerList()) {
            if (LayerType.of(layer) != LayerType.DECONVOLUTION || !layer.hasPrecisionParam()
                    || ChaidnnSupport.of(layer) != ChaidnnSupport.DEVICE) {
                continue;
            }
            PrecisionParameter p = layer.getPrecisionParam();
            int[] widths = {p.getBwLayerIn(), p.getBwParams(), p.getBwLayerOut()};
            if (Arrays.stream(widths).anyMatch(bw -> bw != DECONVOLUTION_BITS)) {
                named.add("'" + layer.getName() + "' (" + widths[0] + "," + widths[1] + "," + widths[2] + ")");
            }
        }
        if (named.isEmpty()) {
            return List.of();
        }
        return List.of(Notice.warning("Deconvolution" + layers(named) + " written with bitwidths "
                + "(in,params,out) other than 16: CHaiDNN's docs/SUPPORTED_LAYERS.md lists Deconvolution for 16 bits "
                + "only, and its runtime runs every Deconvolution on its 16-bit kernel all the same, without an error "
                + "or a warning: input, weights and bias held in 16 bits, the weights quantized to bw_params bits of "
                + "their th_params and the bias to bw_layer_out bits, the output in 32 bits; validate computes a "
                + "Deconvolution in float"));
    }

    /** " layer 'a' (...)" or " layers 'a' (...), 'b' (...)". */
    private static String layers(List<String> named) {
        return (named.size() == 1 ? " layer " : " layers ") + String.join(", ", named);
    }

    /**
     * The warning for a Deconvolution CHaiDNN's parser stops at, if it is one. caffe_network_parser.cpp,
     * ExtractDeconvolutionParameters (84408a9), exits unless {@code filter_h == filter_w} (EP154),
     * {@code pad_h == pad_w} (EP157), {@code stride_h == stride_w} (EP160), and
     * <pre>
     * ASSERT( (pad_h == 0) &amp;&amp; (pad_w == 0), EP058, ...)
     * ASSERT( (filter_h == 2 * stride_h) || (filter_h == 2 * stride_h - 1), EP059, ...)
     * ASSERT( (M == N) &amp;&amp; (M == group) &amp;&amp; (N == group), EP060, ...)
     * </pre>
     * (M the num_output, N the input's channels; ASSERT prints the code and exits).
     */
    private static Optional<Notice> deconvolution(Layer layer, ConvGeometry g) {
        if (g.kernel().length != 2) {
            return Optional.empty(); // another spatial rank is refused elsewhere
        }
        int k = g.kernel()[0];
        int s = g.stride()[0];
        boolean square = k == g.kernel()[1] && s == g.stride()[1] && g.pad()[0] == g.pad()[1];
        boolean parsed = square && g.pad()[0] == 0 && (k == 2 * s || k == 2 * s - 1)
                && g.inChannels() == g.outChannels() && g.outChannels() == g.group();
        if (parsed) {
            return Optional.empty();
        }
        return Optional.of(Notice.warning("layer '" + layer.name() + "' (Deconvolution, kernel " + k + "x"
                + g.kernel()[1] + ", stride " + s + "x" + g.stride()[1] + ", pad " + g.pad()[0] + "x" + g.pad()[1]
                + ", " + g.inChannels() + " input and " + g.outChannels() + " output feature maps, group " + g.group()
                + "): CHaiDNN's parser stops at it with an error (caffe_network_parser.cpp, "
                + "ExtractDeconvolutionParameters, EP058-EP060: it takes pad 0, a square kernel of 2*stride or "
                + "2*stride-1 with one stride for both axes, and as many output feature maps as input ones and "
                + "groups), " + DEVICE_MAY_NOT_RUN + " it as written; validate simulates it as Caffe defines it"));
    }

    /** The warning for a Permute of another order than the one the table lists (SSD's 0, 2, 3, 1), if any. */
    private static Optional<Notice> permute(Layer layer, int rank) {
        int[] order = ShapeInference.permuteOrder(layer.param(), rank);
        if (Arrays.equals(order, PERMUTE_ORDER)) {
            return Optional.empty();
        }
        return Optional.of(Notice.warning("layer '" + layer.name() + "' (Permute, order " + Arrays.toString(order)
                + "): CHaiDNN's docs/SUPPORTED_LAYERS.md lists its Permute for the order [0, 2, 3, 1] only (as in "
                + "SSD), " + DEVICE_MAY_NOT_RUN + " it as written; validate computes it as Caffe defines it"));
    }

    /** The warning for a convolution whose kernel, stride or dilation the table does not list, if any. */
    private static Optional<Notice> geometry(Layer layer, ConvGeometry g) {
        if (g.kernel().length != 2) {
            return Optional.empty(); // another spatial rank is refused elsewhere
        }
        boolean kernel = g.kernel()[0] != g.kernel()[1] || !KERNELS.contains(g.kernel()[0]);
        boolean stride = g.stride()[0] != g.stride()[1];
        boolean dilation = g.dilation()[0] != g.dilation()[1]
                || g.dilation()[0] != 1 && g.dilation()[0] != DILATION;
        if (!kernel && !stride && !dilation) {
            return Optional.empty();
        }
        String what = "kernel " + g.kernel()[0] + "x" + g.kernel()[1] + ", stride " + g.stride()[0] + "x"
                + g.stride()[1] + (dilation ? ", dilation " + g.dilation()[0] + "x" + g.dilation()[1] : "");
        return Optional.of(Notice.warning("layer '" + layer.name() + "' (Convolution, " + what + "): "
                + "CHaiDNN's convolution engine lists square kernels of 1, 3, 5, 7 and 11 with one stride for both "
                + "axes, and dilation 6 only (its docs/SUPPORTED_LAYERS.md), " + DEVICE_MAY_NOT_RUN + " it as written; "
                + "validate simulates it as Caffe defines it"));
    }
}
