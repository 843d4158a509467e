package xportdnn.pipeline;

import java.util.List;
import java.util.Locale;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;
import xportdnn.data.Preprocessing;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NumberText;

/**
 * Whether the calibration images and the mean subtracted from them are on one scale. A mean is the average of the
 * training images, so after {@code --raw_scale} the calibration pixels average about as much as the mean values do
 * (a factor of two or three apart for an unusual set). A factor of {@link #FACTOR} or more is a preprocessing
 * mistake, not a set: typically the mean in 0-255 with the images left in [0, 1] (no {@code --raw_scale 255}), and
 * the net then sees little but the negated mean. Read from the Input layer's calibration statistics, which hold
 * {@code (pixel * raw_scale - mean) * input_scale}: their average over {@code input_scale}, plus the mean's, is the
 * pixels' average.
 */
final class MeanScaleCheck {

    static final double FACTOR = 10;

    private MeanScaleCheck() {
    }

    /** One warning when the pixels and the mean are {@link #FACTOR} or more apart, else none. */
    static List<Notice> of(Net net, Preprocessing preprocessing, Calibration calibration) {
        double mean = averageMean(preprocessing);
        List<Layer> inputs = net.layers().stream().filter(l -> l.layerType() == LayerType.INPUT).toList();
        if (!(mean > 0) || inputs.size() != 1 || calibration == null) {
            return List.of();
        }
        BlobHistograms statistics = calibration.statistics().get(inputs.get(0).name());
        if (statistics == null) {
            return List.of();
        }
        ActivationRange range = statistics.range();
        double pixels = range.mean() / preprocessing.inputScale() + mean;
        float raw = preprocessing.rawScale();
        String measured = String.format(Locale.ROOT, "the calibration images average %.3g per value after "
                + "--raw_scale %s, the mean subtracted from them averages %.3g", pixels, NumberText.of(raw), mean);
        if (pixels < mean / FACTOR) {
            return List.of(Notice.warning(measured + (Math.abs(raw) < mean
                    ? ": the mean looks given for pixels in 0-255 while the images are in [0, " + NumberText.of(raw)
                    + "], so the net sees little but the negated mean; give --raw_scale 255"
                    : ": far darker images than the mean's; is the mean (or the image set) that of another net?")));
        }
        if (pixels > mean * FACTOR) {
            return List.of(Notice.warning(measured + ": the mean looks given on another scale than the pixels "
                    + "(e.g. in [0, 1] while --raw_scale " + NumberText.of(raw) + " puts them in 0-" + NumberText.of(raw)
                    + "); give the mean on the pixels' scale, or the --raw_scale the net was trained with"));
        }
        return List.of();
    }

    /** The mean subtracted, averaged over every value of the input; 0 without one. */
    private static double averageMean(Preprocessing p) {
        float[] mean = p.meanValues() != null ? p.meanValues() : p.meanArray() != null ? p.meanArray().data() : null;
        if (mean == null || mean.length == 0) {
            return 0;
        }
        double sum = 0;
        for (float v : mean) {
            sum += v;
        }
        return sum / mean.length;
    }
}
