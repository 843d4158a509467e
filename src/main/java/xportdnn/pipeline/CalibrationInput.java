package xportdnn.pipeline;

import java.util.List;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.model.Net;

/**
 * The calibration images as the steps that read them need them: the selected entries and the preprocessing
 * resolved for the net. Made once per run, so calibration, tuning and compare's per-channel passes neither list
 * (nor screen) the image set nor read the mean file twice.
 *
 * @param images      the selected images, in name order
 * @param transformer their preprocessing for the net
 * @param batch       images per forward pass
 * @param skipped     the selected images taken out as unreadable (--skip_bad_images), one line each
 */
public record CalibrationInput(List<ImageSet.Entry> images, Transformer transformer, int batch, List<String> skipped) {

    /**
     * The images {@code settings} select, listed in {@code passes}' store, without the unreadable ones when asked
     * (screened where {@code passes} read images).
     */
    public static CalibrationInput of(Net net, CalibrationSettings settings, FloatPasses passes) {
        return of(net, settings, Calibration.images(settings, passes.imageStore()), passes);
    }

    /** As {@link #of(Net, CalibrationSettings, FloatPasses)} of the images already selected. */
    public static CalibrationInput of(Net net, CalibrationSettings settings, List<ImageSet.Entry> selected,
                                      FloatPasses passes) {
        Transformer transformer = new Transformer(settings.preprocessing().resolve(net));
        BadImages.Screened screened = passes.screen(selected, transformer, settings.skipBadImages());
        return new CalibrationInput(screened.kept(), transformer, settings.batch(), screened.skipped());
    }
}
