package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.model.Net;

/**
 * The checks of the calibration images' preprocessing, in one place for every command that calibrates (export,
 * compare): the pixels against the mean ({@link MeanScaleCheck}), the first BatchNorm's input against its training
 * scale ({@link BatchNormScaleCheck}; a folded net has no BatchNorm left to compare with), grey images for a colour
 * net ({@link GreyCalibrationCheck}, counted as the calibration decoded them), the channel order
 * ({@link ChannelOrderCheck}, the one check that runs the net again: twice, on a draw of the calibration set). The
 * scoring commands' check of the labels is {@code validate.LabelCheck}.
 */
public final class PreprocessingChecks {

    private PreprocessingChecks() {
    }

    /**
     * The warnings, in that order; none without statistics.
     *
     * @param preprocessing the preprocessing the statistics were taken with
     * @param calibration   the statistics, or null when the scheme does not calibrate
     * @param set           the calibration set, or null when the statistics were loaded without it
     * @param batchSize     images per forward pass
     * @param passes        where the calibration's passes ran (the channel order is checked on local images only)
     */
    public static List<Notice> of(Net net, Preprocessing preprocessing, Calibration calibration, ImageSet set,
                                  int batchSize, FloatPasses passes, Progress progress) {
        List<Notice> notices = new ArrayList<>();
        if (calibration != null) {
            notices.addAll(MeanScaleCheck.of(net, preprocessing, calibration));
            notices.addAll(BatchNormScaleCheck.of(net, calibration));
            notices.addAll(GreyCalibrationCheck.of(preprocessing, calibration));
            notices.addAll(ChannelOrderCheck.of(net, set, new Transformer(preprocessing), batchSize, passes,
                    progress));
        }
        return notices;
    }
}
