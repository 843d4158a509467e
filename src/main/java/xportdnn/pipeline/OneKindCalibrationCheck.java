package xportdnn.pipeline;

import java.util.List;
import java.util.Locale;
import xportdnn.calib.PictureCounts;

/**
 * Whether a classifier is calibrated on one kind of picture (e.g. one class folder, or the first images of a test
 * set sorted by class). The run goes through, but the thresholds fit that kind: on ResNet-20, calibrating on 256
 * airplanes instead of 256 images of all ten classes costs CHaiDNN's 8-bit Xilinx mode about half a point of top-1
 * on the other classes (docs/compare-history.md), and a pooled value of another class can exceed every calibrated
 * one. Read from the float net's top class of each calibration image, counted as the calibration ran it
 * ({@link Calibration#pictures}), so no extra pass.
 */
final class OneKindCalibrationCheck {

    /** Fewer images say too little. */
    static final int MIN_IMAGES = 20;

    /** With fewer classes, a set dominated by one of them is common and can be what the net will see. */
    static final int MIN_CLASSES = 10;

    /** The share of the images one class must exceed. */
    static final double ONE_KIND = 0.5;

    private OneKindCalibrationCheck() {
    }

    /**
     * One warning when, of {@link #MIN_IMAGES} or more calibration images, more than half get the same top class
     * from a float classifier of {@link #MIN_CLASSES} or more classes; else none (also none for statistics loaded
     * without images, or a net whose output is not one score per class).
     */
    static List<Notice> of(Calibration calibration) {
        PictureCounts pictures = calibration == null ? PictureCounts.NONE : calibration.pictures();
        int[] counts = pictures.topClasses();
        if (pictures.images() < MIN_IMAGES || counts.length < MIN_CLASSES) {
            return List.of();
        }
        int top = pictures.mostCommonClass();
        double share = counts[top] / (double) pictures.images();
        if (share <= ONE_KIND) {
            return List.of();
        }
        return List.of(Notice.warning(String.format(Locale.ROOT, "the float net's top class is %d on %d of the %d "
                + "calibration images (%.0f%%; %d classes): they look like one kind of picture, so the thresholds "
                + "fit that kind only; calibrate on images of every kind the net will see (e.g. a draw from a "
                + "mixed set with --calibration_size, not the first images of a set sorted by class)",
                top, counts[top], pictures.images(), 100 * share, counts.length)));
    }
}
