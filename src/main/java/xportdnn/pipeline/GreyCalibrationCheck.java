package xportdnn.pipeline;

import java.util.List;
import xportdnn.calib.PictureCounts;
import xportdnn.data.Preprocessing;

/**
 * Whether a colour net is calibrated on grey pictures only (e.g. MNIST for an ImageNet net). They load as three
 * equal channels, so the run goes through and the thresholds are those of another domain: no colour contrast, and
 * each channel off its mean by that channel's own offset. Read from the count of grey images the calibration took
 * as it decoded them ({@link Calibration#pictures}), so no image is decoded for it; statistics loaded from files
 * saw no image and are not checked.
 */
final class GreyCalibrationCheck {

    private GreyCalibrationCheck() {
    }

    /** One warning when the input is colour and every one of the calibration images is grey, else none. */
    static List<Notice> of(Preprocessing preprocessing, Calibration calibration) {
        PictureCounts pictures = calibration == null ? PictureCounts.NONE : calibration.pictures();
        if (!preprocessing.color() || pictures.images() == 0 || pictures.grey() != pictures.images()) {
            return List.of();
        }
        int n = pictures.images();
        return List.of(Notice.warning((n == 1 ? "the calibration image is" : "all " + n + " calibration images are")
                + " grey, but the net takes colour (3 channels): its thresholds are calibrated on another domain "
                + "than the one it runs on; calibrate on images like those it will see"));
    }
}
