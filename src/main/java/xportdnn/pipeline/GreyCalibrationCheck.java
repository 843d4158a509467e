package xportdnn.pipeline;

import java.util.List;
import xportdnn.data.ImageSet;
import xportdnn.model.ModelException;

/**
 * Whether a colour net is calibrated on grey pictures only (e.g. MNIST for an ImageNet net). They load as three
 * equal channels, so the run goes through and the thresholds are those of another domain: no colour contrast, and
 * each channel off its mean by that channel's own offset. Decodes the calibration images once more, stopping at
 * the first colour one, so a colour set costs one decode.
 */
final class GreyCalibrationCheck {

    /** Two codes of an 8-bit channel: what JPEG's chroma rounding leaves in a grey picture saved in colour. */
    static final float TOLERANCE = 2f / 255;

    private GreyCalibrationCheck() {
    }

    /** One warning when the input is colour and every one of the images is grey, else none. */
    static List<Notice> of(CalibrationInput input) {
        if (input == null || !input.transformer().settings().color() || input.images().isEmpty()) {
            return List.of();
        }
        for (ImageSet.Entry entry : input.images()) {
            try {
                if (!entry.load(true).grey(TOLERANCE)) {
                    return List.of();
                }
            } catch (ModelException e) {
                return List.of(); // unreadable: the calibration itself says so
            }
        }
        int n = input.images().size();
        return List.of(Notice.warning((n == 1 ? "the calibration image is" : "all " + n + " calibration images are")
                + " grey, but the net takes colour (3 channels): its thresholds are calibrated on another domain "
                + "than the one it runs on; calibrate on images like those it will see"));
    }
}
