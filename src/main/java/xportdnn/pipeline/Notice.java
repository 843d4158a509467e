package xportdnn.pipeline;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import xportdnn.data.ImageSet;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.precision.AveragePooling;

/** Something a run wants its user to know: a note, or a warning about what the device will do. */
public record Notice(boolean warning, String text) {

    public static Notice note(String text) {
        return new Notice(false, text);
    }

    public static Notice warning(String text) {
        return new Notice(true, text);
    }

    /**
     * --skip_bad_images: a warning per image taken out (each naming it), then their count; nothing when none was.
     */
    public static List<Notice> skipped(List<String> skipped) {
        List<Notice> notices = new ArrayList<>();
        if (!skipped.isEmpty()) {
            skipped.forEach(s -> notices.add(warning("skipped bad image: " + s)));
            notices.add(warning("skipped " + skipped.size() + (skipped.size() == 1 ? " bad image" : " bad images")
                    + " (--skip_bad_images)"));
        }
        return notices;
    }

    /** The note of what opening the set found ({@link ImageSet#note}: pictures left out, lines repeated), if any. */
    public static List<Notice> ofSet(ImageSet set) {
        return set.note().map(text -> List.of(note(text))).orElse(List.of());
    }

    /** One note per Input layer whose batch dimension the export set to 1. */
    static List<Notice> rebatched(Map<String, Long> inputs) {
        List<Notice> notices = new ArrayList<>();
        inputs.forEach((input, was) -> notices.add(note("batch dimension of input '" + input + "' set to 1 (was "
                + was + "): CHaiDNN runs one image at a time")));
        return notices;
    }

    /**
     * One warning per AVE Pooling that CHaiDNN's Xilinx mode does not average: it multiplies a window's sum by
     * 2^16 / kernel_h squared in 16 bits ({@link AveragePooling#xilinx}), whatever kernel_w is, so a non-square
     * kernel gets the wrong divisor and a kernel of one row, or of more than 256 rows, a factor of 0.
     */
    static List<Notice> xilinxAverages(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : averagePoolings(net)) {
            PoolGeometry window = PoolGeometry.of(layer.param(), net.shape(layer.bottoms().get(0)));
            if (!AveragePooling.xilinx(window.kernelH(), 8).averages()) {
                notices.add(warning(String.format(Locale.ROOT, "layer '%s' (AVE Pooling, kernel %dx%d): CHaiDNN's "
                        + "Xilinx mode multiplies a window's sum by 2^16 / kernel_h squared in 16 bits, which is 0 for "
                        + "a kernel of %s, so every average on the device is 0; give it a kernel of %s rows or use "
                        + "DynamicFixed mode", layer.name(), window.kernelH(), window.kernelW(),
                        window.kernelH() == 1 ? "one row" : "more than 256 rows",
                        window.kernelH() == 1 ? "at least 2" : "2 to 256")));
            } else if (window.kernelH() != window.kernelW()) {
                int divisor = window.kernelH() * window.kernelH();
                int values = window.kernelH() * window.kernelW();
                notices.add(warning(String.format(Locale.ROOT, "layer '%s' (AVE Pooling, kernel %dx%d): CHaiDNN's "
                        + "Xilinx mode divides a window's sum by kernel_h squared (%d), not by its %d values, so the "
                        + "device's averages are %s times the true ones (they may wrap around); give it a square "
                        + "kernel or use DynamicFixed mode", layer.name(), window.kernelH(), window.kernelW(), divisor,
                        values, BigDecimal.valueOf((double) values / divisor).round(new MathContext(3))
                                .stripTrailingZeros().toPlainString())));
            }
        }
        return notices;
    }

    /**
     * One warning per AVE Pooling whose last windows reach past the input and its padding: Caffe divides them by the
     * values inside, the device by the whole kernel ({@link AveragePooling}).
     */
    static List<Notice> partialAverages(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : averagePoolings(net)) {
            int[] in = net.shape(layer.bottoms().get(0));
            int[] out = net.shape(layer.tops().get(0));
            PoolGeometry w = PoolGeometry.of(layer.param(), in);
            // the windows only move on, so the last row and column are the ones that can reach past
            boolean past = w.clippedRows(out[2] - 1, in[2]) < w.kernelH()
                    || w.clippedCols(out[3] - 1, in[3]) < w.kernelW();
            if (past) {
                notices.add(warning("layer '" + layer.name() + "' (AVE Pooling): its last windows reach past the input "
                        + "and its padding (the output size rounds up); Caffe divides their sums by the values inside, "
                        + "CHaiDNN by the whole kernel (" + w.kernelH() * w.kernelW() + "), so the device's averages "
                        + "there are smaller; choose a kernel, stride and pad that tile the input"));
            }
        }
        return notices;
    }

    /**
     * An average this much or more below the true one (DynamicFixed's truncated multiplier) is warned of: a whole
     * layer's values scaled down alike, which a fixed-point step of 1/128 or finer would otherwise hide.
     */
    static final double AVERAGE_SHORTFALL = 0.01;

    /**
     * One warning per AVE Pooling whose window DynamicFixed mode cannot average: its multiplier is
     * {@code 1 / (kh kw)} as a signed byte with 8 fractional bits ({@link AveragePooling#dynamicFixed}), which is 0
     * for a window of more than 256 values (a global pooling of a 32x32 map: every average written as 0) and
     * overflows for one of 1 or 2. Also one where its truncation makes every average {@link #AVERAGE_SHORTFALL} or
     * more too small: GoogLeNet's 7x7 pooling gets 5/256 = 1/51.2 instead of 1/49, 4.3% below, a 13x13 one
     * (SqueezeNet v1.1) 1/256 instead of 1/169, 34% below.
     */
    static List<Notice> dynamicFixedAverages(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : averagePoolings(net)) {
            PoolGeometry w = PoolGeometry.of(layer.param(), net.shape(layer.bottoms().get(0)));
            AveragePooling pooling = AveragePooling.dynamicFixed(w.kernelH(), w.kernelW(), 0, 0, 8);
            if (!pooling.averages()) {
                int values = w.kernelH() * w.kernelW();
                String effect = values > 256 ? "0 for every window of more than 256 values"
                        : "the byte overflows for a window of 1 or 2 values";
                notices.add(warning(String.format(Locale.ROOT, "layer '%s' (AVE Pooling, kernel %dx%d): CHaiDNN's "
                        + "DynamicFixed mode multiplies a window's sum by 1/%d in a signed byte of 8 fractional bits, "
                        + "which is %d, so the device's averages are wrong (%s); pool windows of 3 to 256 values or "
                        + "use Xilinx mode", layer.name(), w.kernelH(), w.kernelW(), values, pooling.multiplier(),
                        effect)));
            } else {
                int values = w.kernelH() * w.kernelW();
                double shortfall = 1 - (double) pooling.multiplier() * values / (1 << AveragePooling.MULTIPLIER_FRACTION);
                if (shortfall >= AVERAGE_SHORTFALL) {
                    notices.add(warning(String.format(Locale.ROOT, "layer '%s' (AVE Pooling, kernel %dx%d): CHaiDNN's "
                            + "DynamicFixed mode multiplies a window's sum by 1/%d in a signed byte of 8 fractional "
                            + "bits, truncated to %d/256, so the device's averages are %.1f%% smaller than Caffe's; "
                            + "pool windows of 4, 16, 64 or 256 values or use Xilinx mode", layer.name(), w.kernelH(),
                            w.kernelW(), values, pooling.multiplier(), 100 * shortfall)));
                }
            }
        }
        return notices;
    }

    private static List<Layer> averagePoolings(Net net) {
        return net.layers().stream().filter(l -> l.layerType() == LayerType.POOLING
                && l.param().getPoolingParam().getPool() == PoolMethod.AVE).toList();
    }

    /**
     * Removing a Split makes its readers read one blob; a reader that writes its top in place (a ReLU on one branch)
     * would then change what the other branches read, so the hint says to give such layers tops of their own first.
     */
    private static String splitHint(Net net, Layer split) {
        List<String> inPlace = net.layers().stream().filter(l -> l.bottoms().size() == 1 && l.tops().size() == 1
                && l.tops().get(0).equals(l.bottoms().get(0)) && split.tops().contains(l.bottoms().get(0)))
                .map(l -> "'" + l.name() + "'").toList();
        String hint = ChaidnnSupport.hint(split.param());
        return inPlace.isEmpty() ? hint : hint + ", after giving " + String.join(", ", inPlace) + " a top of "
                + (inPlace.size() == 1 ? "its" : "their") + " own: " + (inPlace.size() == 1 ? "it writes" : "they write")
                + " a top of the Split in place, which would change the blob every reader reads";
    }

    /** One warning per layer CHaiDNN cannot run. */
    public static List<Notice> unsupported(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : net.layers()) {
            if (ChaidnnSupport.of(layer.param()) == ChaidnnSupport.UNSUPPORTED) {
                String hint = layer.layerType() == LayerType.SPLIT ? splitHint(net, layer)
                        : ChaidnnSupport.hint(layer.param());
                notices.add(warning("layer '" + layer.name() + "' (" + ChaidnnSupport.describe(layer.param())
                        + ") is not supported by CHaiDNN; the net will not run on the device as it is"
                        + (hint.isEmpty() ? "" : " (" + hint + ")")));
            }
        }
        return notices;
    }
}
