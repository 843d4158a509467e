package xportdnn.pipeline;

import java.util.List;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Transformer;
import xportdnn.model.Net;

/**
 * The calibration images as the steps that read them need them: the selected entries and the preprocessing
 * resolved for the net. Made once per run, so calibration and tuning neither list the image set nor read the mean
 * file twice.
 *
 * @param images      the selected images, in name order
 * @param transformer their preprocessing for the net
 * @param batch       images per forward pass
 */
record CalibrationInput(List<ImageSet.Entry> images, Transformer transformer, int batch) {

    /** The images {@code settings} select, listed in {@code store}. */
    static CalibrationInput of(Net net, CalibrationSettings settings, ImageStore store) {
        return new CalibrationInput(Calibration.images(settings, store),
                new Transformer(settings.preprocessing().resolve(net)), settings.batch());
    }
}
