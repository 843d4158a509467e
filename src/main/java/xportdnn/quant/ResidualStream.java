package xportdnn.quant;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;

/**
 * The blobs of a net's residual stream, which block floating point holds with a wider mantissa
 * ({@link xportdnn.precision.BlockFloatScheme}): every blob an Eltwise on codes (a plain sum or a max, {@link
 * XilinxThresholds#onInputScale}) reads or writes (ResNet's shortcut, its branch's last convolution output, the sum
 * after its ReLU), as block-floating-point designs keep their accumulations wide. Not a product's or weighted sum's:
 * the simulator computes those in float, so they accumulate nothing in codes, and their output is a float blob.
 * Only where the wider codes need nothing else of the device: a blob written by a convolution or
 * an Eltwise (and rewritten in place, e.g. by a ReLU) and read only by convolutions, Eltwise layers and in-place
 * layers. A blob a pooling or a Concat reads keeps the scheme's width (an average pooling's arithmetic works in its
 * output's container; the classifier head of ResNet reads the last sum so).
 */
public final class ResidualStream {

    /**
     * How many more mantissa bits the residual stream keeps. Decided on ResNet-20's calibration images only
     * (exponents from one half, the other half scored; docs/compare-history.md): the class scores' SQNR rose
     * by 4 dB with 2 more bits, and no further with 4 or 8 more.
     */
    public static final int EXTRA_BITS = 2;

    private ResidualStream() {
    }

    /** The residual stream's blob names. */
    public static Set<String> of(Net net) {
        Map<String, Boolean> widthKeepingWriter = new HashMap<>(); // per blob, whether a convolution or sum wrote it
        Set<String> eltwise = new HashSet<>();
        Set<String> otherReaders = new HashSet<>();
        for (Layer l : net.layers()) {
            boolean onCodes = l.layerType() == LayerType.ELTWISE && XilinxThresholds.onInputScale(l);
            if (onCodes) {
                eltwise.addAll(l.bottoms());
                eltwise.addAll(l.tops());
            }
            boolean widthKeeping = l.layerType() == LayerType.CONVOLUTION || onCodes;
            if (!widthKeeping && !l.inPlace()) {
                otherReaders.addAll(l.bottoms());
            }
            if (!l.inPlace()) {
                l.tops().forEach(t -> widthKeepingWriter.put(t, widthKeeping));
            }
        }
        Set<String> stream = new HashSet<>();
        for (String blob : eltwise) {
            if (widthKeepingWriter.getOrDefault(blob, false) && !otherReaders.contains(blob)) {
                stream.add(blob);
            }
        }
        return stream;
    }
}
