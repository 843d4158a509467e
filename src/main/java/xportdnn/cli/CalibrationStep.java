package xportdnn.cli;

import java.util.List;
import java.util.Map;
import xportdnn.calib.BlobHistograms;
import xportdnn.calib.Calibrator;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.quant.KlJThreshold;

/** The calibration both Xilinx mode and {@code --fl_bitwidths auto} run, from the main command's flags. */
final class CalibrationStep {

    /** Every layer's output statistics and how many images they come from. */
    record Result(Map<String, BlobHistograms> statistics, int images) {
    }

    private CalibrationStep() {
    }

    /** Checks the flags calibration needs, so a mistake is reported before any long work. */
    static void checkFlags(XportCommand flags) {
        XportCommand.required(flags.calibrationDirectory, "--calibration_directory", "the calibration images");
        if (flags.batch < 1) {
            throw new ModelException("--batch: " + flags.batch + " is not a positive number");
        }
    }

    static Result run(XportCommand flags, Net net) {
        Transformer transformer = new Transformer(flags.preprocessing.settings(net));
        List<ImageSet.Entry> images = flags.calibrationDraw.select(ImageSet.open(flags.calibrationDirectory, null),
                flags.calibrationIndices);
        Calibrator calibrator = new Calibrator(new FloatEngine(net), transformer, flags.batch);
        try (ProgressBar bar = new ProgressBar("calibrating (2 passes)", 2L * images.size(), flags.quiet)) {
            return new Result(calibrator.calibrate(images, KlJThreshold::binCount, bar), images.size());
        }
    }
}
