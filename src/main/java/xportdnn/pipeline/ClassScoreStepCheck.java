package xportdnn.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import xportdnn.calib.Calibrator;
import xportdnn.calib.PictureCounts;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.PrecisionScheme;

/**
 * Whether the device writes a classifier's scores too coarsely for its verdicts. Where the class scores come out of
 * a layer the device computes (a convolution classifier, or the average pooling after one, as SqueezeNet and
 * Caffe's MobileNets end) they are whole multiples of that layer's output step; in Xilinx mode an average pooling
 * even keeps its input's threshold, so SqueezeNet v1.0's 1000 scores come in steps of about 0.8 at 8 bits and 3 at 6.
 * An image whose two best classes are closer than one step gets them tied (the lower class id wins) or swapped:
 * on SqueezeNet 19% of the scored images tied at 8 bits, half at 6, which no threshold or tuning of the weights
 * undoes. Read from the float net's margin between its two best classes on each calibration image (counted as the
 * calibration ran them, {@link PictureCounts#topMargins}), against the step the written prototxt gives.
 */
public final class ClassScoreStepCheck {

    /** Fewer images say too little. */
    static final int MIN_IMAGES = 20;

    /**
     * The share of images within one step above which the run warns: each such image's top-1 is left to rounding
     * and the class order, so this share is about the top-1 at stake (on the whole, half of it lost), more than a
     * good 8-bit export costs.
     */
    static final double SHARE = 0.05;

    private ClassScoreStepCheck() {
    }

    /**
     * One warning when more than {@link #SHARE} of {@link #MIN_IMAGES} or more calibration images have their two
     * best float class scores closer than the step the device writes them in; none when the scores are computed
     * in software (e.g. by an InnerProduct), the net has no class scores, or the statistics were loaded.
     *
     * @param net       the float net the calibration ran
     * @param quantized the written prototxt (its net built only when enough images were counted)
     */
    public static List<Notice> of(Calibration calibration, Net net, NetParameter quantized) {
        return counted(calibration) ? of(calibration, net, NetLoader.build(quantized, null)) : List.of();
    }

    /** {@link #of(Calibration, Net, NetParameter)} of a quantized net already built (a {@code compare} scheme's). */
    public static List<Notice> of(Calibration calibration, Net net, Net quantized) {
        if (!counted(calibration)) {
            return List.of();
        }
        return of(calibration.pictures(), quantized, Calibrator.classScores(net), Set.of(), "calibration images",
                "`validate` counts the ties, and with --float_layers %s shows what computing the classifier in "
                        + "software would keep");
    }

    /** Whether the calibration counted enough images' margins to check. */
    private static boolean counted(Calibration calibration) {
        return calibration != null && calibration.pictures().topMargins().length >= MIN_IMAGES;
    }

    /**
     * The same warning for {@code validate}: the float net's margins on the scored images against the step the
     * quantized net's device writer gives; none when {@code --float_layers} computes that writer in software.
     *
     * @param verdicts the float net's verdicts on the scored images
     * @param device   the quantized net
     * @param floated  the layers the run computes in float
     */
    static List<Notice> ofValidation(PictureCounts verdicts, Net device, Set<String> floated) {
        return of(verdicts, device, Calibrator.classScores(device), floated, "scored images",
                "give --float_layers %s to compute the classifier in software and see what that keeps");
    }

    /**
     * @param scores the class-score blob of {@code device}
     * @param images what the pictures are, e.g. "calibration images"
     * @param remedy the sentence after the finding, with one %s for the classifier's layers
     */
    private static List<Notice> of(PictureCounts pictures, Net device, String scores, Set<String> floated,
                                   String images, String remedy) {
        int counted = pictures.topMargins().length;
        if (counted < MIN_IMAGES) {
            return List.of();
        }
        Layer writer = deviceWriter(device, scores);
        if (writer == null || floated.contains(writer.name())) {
            return List.of();
        }
        PrecisionParameter block = PrecisionScheme.block(writer);
        double step = PrecisionScheme.of(device).output(writer, block).step(0);
        int close = pictures.marginsBelow(step);
        if (close <= SHARE * counted) {
            return List.of();
        }
        String format = block.hasThLayerOut()
                ? String.format(Locale.ROOT, "th_layer_out %.4g over %d codes", block.getThLayerOut(),
                        (1 << (block.getBwLayerOut() - 1)) - 1)
                : "fl_layer_out " + block.getFlLayerOut();
        return List.of(Notice.warning(String.format(Locale.ROOT, "layer '%s' writes the class scores in steps of "
                + "%.3g (%s): on %d of the %d %s (%.0f%%) the float net's two best classes are closer than that, so "
                + "the device may tie them (the lower class id wins) or swap them; ", writer.name(), step, format,
                close, counted, images, 100.0 * close / counted)
                + String.format(Locale.ROOT, remedy, String.join(",", classifier(device, writer)))));
    }

    /**
     * The layers that make the class scores from the blob before them: the scores' writer, and when that is a
     * pooling, the layer the device writes its input with (a pooling of clipped codes stays clipped).
     */
    private static List<String> classifier(Net device, Layer writer) {
        Layer before = writer.layerType() == LayerType.POOLING ? producer(device, writer.bottoms().get(0)) : null;
        return before == null ? List.of(writer.name()) : List.of(before.name(), writer.name());
    }

    /** The last layer computing {@code blob} that is not an in-place plain ReLU, or null. */
    private static Layer producer(Net device, String blob) {
        List<Layer> layers = device.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            if (l.tops().contains(blob) && !(l.plainRelu() && l.bottoms().contains(blob))) {
                return l;
            }
        }
        return null;
    }

    /**
     * The layer whose output format the device writes {@code blob} in: its {@link #producer}, when that holds a
     * block (an in-place plain ReLU after it writes in the same format, and DynamicFixed gives it none); null when
     * a layer without a block computes the blob (software, e.g. an InnerProduct) or none writes it.
     */
    static Layer deviceWriter(Net device, String blob) {
        Layer producer = producer(device, blob);
        return producer == null || PrecisionScheme.block(producer) == null ? null : producer;
    }
}
