package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.ShapeInference;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/**
 * A warning per layer outside what CHaiDNN's docs/SUPPORTED_LAYERS.md lists: a device convolution's filter sizes 1x1,
 * 3x3, 5x5, 7x7 and 11x11 with the same stride on both axes and dilation 6 only; fewer than 4096 input and output
 * feature maps for a device convolution or pooling; a Permute of the order 0, 2, 3, 1 only. Warnings, not refusals:
 * the table is all that says so (what the runtime does with such a layer is not known here); the simulator computes
 * the layers as Caffe defines them.
 *
 * <p>The BatchNorm and Scale layers' warnings come from {@link BatchNormPairsCheck}. A Deconvolution written with
 * another width than 16 is warned of from the written file ({@link #deconvolutionWidths}), and one CHaiDNN's parser
 * refuses, from its sources ({@link #deconvolution}); that one is a warning too, so that validate can still be run.
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
    static final int FEATURE_MAPS = 4096;
    /** The one width the table lists for Deconvolution. */
    private static final int DECONVOLUTION_BITS = 16;

    private SupportedLayersCheck() {
    }

    /** The warnings for {@code net} as loaded (the export's, and {@code inspect}'s, which quantizes nothing). */
    public static List<Notice> of(Net net) {
        List<Notice> notices = new ArrayList<>(BatchNormPairsCheck.of(net));
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
    static String layers(List<String> named) {
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
