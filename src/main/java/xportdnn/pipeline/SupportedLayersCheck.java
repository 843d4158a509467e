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

/**
 * A warning per layer outside what CHaiDNN's docs/SUPPORTED_LAYERS.md lists: a device convolution's filter sizes 1x1,
 * 3x3, 5x5, 7x7 and 11x11 with the same stride on both axes and dilation 6 only; fewer than 4096 input and output
 * feature maps for a device convolution or pooling; a Permute of the order 0, 2, 3, 1 only. Warnings, not refusals:
 * the table is all that says so (what the runtime does with such a layer is not known here); the simulator computes
 * the layers as Caffe defines them.
 */
public final class SupportedLayersCheck {

    /** The words every warning of this check carries (compare leaves them out for schemes only the simulator runs). */
    public static final String DEVICE_MAY_NOT_RUN = "so the device may not run it as written";

    private static final Set<Integer> KERNELS = Set.of(1, 3, 5, 7, 11);
    /** The one dilation the table lists (DeepLab's and SSD's fc6). */
    private static final int DILATION = 6;
    /** The one Permute order the table lists (SSD's: channels last). */
    private static final int[] PERMUTE_ORDER = {0, 2, 3, 1};
    /** The table's bound on input and output feature maps: fewer than this many. */
    private static final int FEATURE_MAPS = 4096;

    private SupportedLayersCheck() {
    }

    static List<Notice> of(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : net.layers()) {
            LayerType type = layer.layerType();
            if (type == LayerType.PERMUTE) {
                permute(layer, net.shape(layer.bottoms().get(0)).length).ifPresent(notices::add);
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
                        + "fewer than " + FEATURE_MAPS + " of each, " + DEVICE_MAY_NOT_RUN + "; "
                        + "validate simulates it as Caffe defines it"));
            }
        }
        return notices;
    }

    /** The warning for a Permute of another order than the one the table lists (SSD's 0, 2, 3, 1), if any. */
    private static Optional<Notice> permute(Layer layer, int rank) {
        int[] order = ShapeInference.permuteOrder(layer.param(), rank);
        if (Arrays.equals(order, PERMUTE_ORDER)) {
            return Optional.empty();
        }
        return Optional.of(Notice.warning("layer '" + layer.name() + "' (Permute, order " + Arrays.toString(order)
                + "): CHaiDNN's docs/SUPPORTED_LAYERS.md lists its Permute for the order [0, 2, 3, 1] only (as in "
                + "SSD), " + DEVICE_MAY_NOT_RUN + "; validate computes it as Caffe defines it"));
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
                + "axes, and dilation 6 only (its docs/SUPPORTED_LAYERS.md), " + DEVICE_MAY_NOT_RUN + "; "
                + "validate simulates it as Caffe defines it"));
    }
}
