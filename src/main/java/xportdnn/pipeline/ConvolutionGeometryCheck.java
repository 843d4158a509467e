package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;

/**
 * A warning per device convolution whose kernel or stride CHaiDNN's convolution engine does not list (its
 * docs/SUPPORTED_LAYERS.md: filter sizes 1x1, 3x3, 5x5, 7x7 and 11x11, the same stride on both axes). A warning,
 * not a refusal: the table is all that says so (what the runtime does with such a layer is not known here); the
 * simulator computes them as Caffe defines them.
 */
final class ConvolutionGeometryCheck {

    private static final Set<Integer> KERNELS = Set.of(1, 3, 5, 7, 11);

    private ConvolutionGeometryCheck() {
    }

    static List<Notice> of(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : net.layers()) {
            if (layer.layerType() != LayerType.CONVOLUTION
                    || ChaidnnSupport.of(layer.param()) != ChaidnnSupport.DEVICE) {
                continue;
            }
            ConvGeometry g = ConvGeometry.of(layer.param(), net.shape(layer.bottoms().get(0)));
            if (g.kernel().length != 2) {
                continue; // another spatial rank is refused elsewhere; nothing to say about its square
            }
            boolean kernel = g.kernel()[0] != g.kernel()[1] || !KERNELS.contains(g.kernel()[0]);
            boolean stride = g.stride()[0] != g.stride()[1];
            if (kernel || stride) {
                notices.add(Notice.warning("layer '" + layer.name() + "' (Convolution, kernel " + g.kernel()[0] + "x"
                        + g.kernel()[1] + ", stride " + g.stride()[0] + "x" + g.stride()[1] + "): CHaiDNN's "
                        + "convolution engine lists square kernels of 1, 3, 5, 7 and 11 with one stride for both axes "
                        + "(its docs/SUPPORTED_LAYERS.md), so the device may not run it as written; validate "
                        + "simulates it as Caffe defines it"));
            }
        }
        return notices;
    }
}
