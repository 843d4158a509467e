package xportdnn.pipeline;

import java.util.List;
import java.util.Map;
import xportdnn.calib.BlobHistograms;
import xportdnn.calib.CalibrationSample;
import xportdnn.calib.Calibrator;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.quant.KlJThreshold;

/**
 * The calibration step: every layer's output statistics over the calibration images (two streamed float passes,
 * see {@link Calibrator}).
 *
 * @param statistics per layer name, its outputs' range and histograms
 * @param images     how many images they come from
 */
public record Calibration(Map<String, BlobHistograms> statistics, int images) {

    /** Runs both passes of {@code net} over the images {@code settings} select. */
    public static Calibration run(Net net, CalibrationSettings settings, Progress progress) {
        return run(net, CalibrationInput.of(net, settings), progress);
    }

    static Calibration run(Net net, CalibrationInput input, Progress progress) {
        List<ImageSet.Entry> images = input.images();
        Calibrator calibrator = new Calibrator(new FloatEngine(net), input.transformer(), input.batch());
        try (Progress.Step step = progress.start("calibrating (2 passes)", 2L * images.size())) {
            return new Calibration(calibrator.calibrate(images, KlJThreshold::binCount, step), images.size());
        }
    }

    /** The images {@code settings} select: the given indices, else the seeded draw. */
    public static List<ImageSet.Entry> images(CalibrationSettings settings) {
        return CalibrationSample.select(ImageSet.open(settings.images(), null), settings.size(), settings.seed(),
                settings.indices());
    }
}
