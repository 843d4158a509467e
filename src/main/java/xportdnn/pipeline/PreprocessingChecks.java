package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.validate.OutputBlob;

/**
 * The checks of the calibration images and their preprocessing, in one place for every command that calibrates
 * (export, compare): the pixels against the mean ({@link MeanScaleCheck}), the first BatchNorm's input against its
 * training scale ({@link BatchNormScaleCheck}; for a folded net, the layers before it, kept from the net before
 * folding, run on a few calibration images), grey images for a colour net ({@link GreyCalibrationCheck}, counted as
 * the calibration decoded them), pictures of one kind ({@link OneKindCalibrationCheck}, the float net's top classes
 * counted as the calibration ran them), photos carrying an EXIF orientation ({@link TurnedImagesNote}, a note), the
 * channel order ({@link ChannelOrderCheck}: the float net run twice on a draw of the calibration set); and,
 * statistics or not, a negative scale ({@link NegativeScaleCheck}). The scoring commands' check of the labels is
 * {@code validate.LabelCheck}.
 */
public final class PreprocessingChecks {

    private PreprocessingChecks() {
    }

    /**
     * The warnings (and the orientation note), in that order; without statistics, the negative scales' only.
     *
     * @param loaded        the net as loaded (folded or not)
     * @param preprocessing the preprocessing the statistics were taken with; null when the run reads no image
     * @param calibration   the statistics, or null when the scheme does not calibrate
     * @param set           the calibration set, or null when the statistics were loaded without it
     * @param input         the calibration images, or null when the statistics were loaded without them
     * @param passes        where the calibration's passes ran (the channel order is checked on local images only)
     */
    public static List<Notice> of(LoadedNet loaded, Preprocessing preprocessing, Calibration calibration,
                                  ImageSet set, CalibrationInput input, FloatPasses passes, Progress progress) {
        List<Notice> notices = new ArrayList<>(preprocessing == null ? List.of()
                : NegativeScaleCheck.of(preprocessing));
        if (calibration != null) {
            Net net = loaded.net();
            notices.addAll(MeanScaleCheck.of(net, preprocessing, calibration));
            notices.addAll(loaded.beforeFirstFolded() != null
                    ? BatchNormScaleCheck.of(loaded.beforeFirstFolded(), input)
                    : BatchNormScaleCheck.of(net, calibration));
            notices.addAll(GreyCalibrationCheck.of(preprocessing, calibration));
            notices.addAll(TurnedImagesNote.of(calibration));
            notices.addAll(OneKindCalibrationCheck.of(calibration));
            notices.addAll(ChannelOrderCheck.of(net, set, new Transformer(preprocessing),
                    input == null ? CalibrationSettings.DEFAULT_BATCH : input.batch(), passes, progress));
        }
        return notices;
    }

    /**
     * The channel-order check alone, on a set of this machine's images that {@code engine} classifies by the blob
     * {@code scores} ({@code infer --images}).
     */
    public static List<Notice> channelOrder(FloatEngine engine, OutputBlob scores, ImageSet set,
                                            Transformer transformer, int batchSize, Progress progress) {
        return ChannelOrderCheck.of(engine, scores, set, "the set", transformer, batchSize, progress);
    }
}
