package xportdnn.pipeline;

import java.util.List;
import java.util.Locale;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.quant.BatchNormStatistics;

/**
 * Whether the calibration images reach the net on the scale it was trained on. A BatchNorm stores the mean and
 * variance of what it read in training, so the convolution before the first BatchNorm should output about that
 * root mean square on the calibration images too (within a factor of two or three for an unusual set). A factor of
 * {@link #FACTOR} or more is a preprocessing scale gone wrong: {@code --input_scale} (e.g. 0.017 for a net trained on
 * standardized pixels) forgotten or given where it does not belong, or {@code --raw_scale}. Nets without a
 * BatchNorm, and nets whose BatchNorm is folded before calibration ({@code --fuse_bn}), are not checked.
 */
final class BatchNormScaleCheck {

    static final double FACTOR = 10;

    private BatchNormScaleCheck() {
    }

    /** One warning when the first BatchNorm's input is {@link #FACTOR} or more off its training scale, else none. */
    static List<Notice> of(Net net, Calibration calibration) {
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer bn = layers.get(i);
            if (bn.layerType() != LayerType.BATCH_NORM) {
                continue;
            }
            Layer producer = producer(layers.subList(0, i), bn.bottoms().get(0));
            BlobHistograms statistics = producer == null || producer.layerType() != LayerType.CONVOLUTION
                    || calibration == null ? null : calibration.statistics().get(producer.name());
            return statistics == null ? List.of() : compare(producer, bn, statistics.range());
        }
        return List.of();
    }

    private static List<Notice> compare(Layer conv, Layer bn, ActivationRange range) {
        BatchNormStatistics trained = BatchNormStatistics.of(bn);
        double square = 0;
        for (int c = 0; c < trained.mean().length; c++) {
            square += trained.variance()[c] + (double) trained.mean()[c] * trained.mean()[c];
        }
        double expected = Math.sqrt(square / trained.mean().length);
        double measured = range.rms();
        if (!(expected > 0) || !(measured > 0)) {
            return List.of();
        }
        double ratio = measured / expected;
        if (ratio < FACTOR && ratio > 1 / FACTOR) {
            return List.of();
        }
        return List.of(Notice.warning(String.format(Locale.ROOT, "layer '%s' outputs a root mean square of %.3g on the "
                + "calibration images, but its BatchNorm '%s' was trained on %.3g (%.3g times %s): the images are "
                + "probably not scaled as in training; check --input_scale (e.g. 0.017 for standardized pixels) and "
                + "--raw_scale", conv.name(), measured, bn.name(), expected, ratio >= 1 ? ratio : 1 / ratio,
                ratio >= 1 ? "more" : "less")));
    }

    /** The last of {@code before} that writes {@code blob}, or null. */
    private static Layer producer(List<Layer> before, String blob) {
        for (int i = before.size() - 1; i >= 0; i--) {
            if (before.get(i).tops().contains(blob)) {
                return before.get(i);
            }
        }
        return null;
    }
}
