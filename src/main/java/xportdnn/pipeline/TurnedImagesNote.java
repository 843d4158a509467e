package xportdnn.pipeline;

import java.util.List;
import xportdnn.calib.PictureCounts;

/**
 * How many calibration images carry an EXIF orientation other than 1 (phone photos, which a viewer turns upright):
 * xportdnn reads their pixels as stored, as {@code caffe.io.load_image} did with scikit-image up to 0.14 (the
 * original XportDNN's), while scikit-image 0.15 and later and {@code cv::imread} (Caffe's own loader) turn them.
 * Which one the net was trained on is the user's to know, so this is a note, counted as the calibration decoded
 * the images ({@link Calibration#pictures}).
 */
public final class TurnedImagesNote {

    private TurnedImagesNote() {
    }

    /** One note when some of the calibration images carry an orientation, else none. */
    static List<Notice> of(Calibration calibration) {
        PictureCounts pictures = calibration == null ? PictureCounts.NONE : calibration.pictures();
        return of(pictures.turned(), pictures.images(), "calibration images");
    }

    /** The note of {@code turned} of {@code images} images (named {@code what}), or none when none is turned. */
    public static List<Notice> of(long turned, long images, String what) {
        if (turned == 0) {
            return List.of();
        }
        return List.of(Notice.note(turned + " of the " + images + " " + what + " carry an EXIF orientation other "
                + "than 1 (photos a viewer turns upright); they are read as stored, not turned, as caffe.io.load_image "
                + "read them with scikit-image up to 0.14 (scikit-image 0.15 and later, and Caffe's cv::imread, turn "
                + "them): if the net was trained on upright pictures, turn the files first (exiftran -ai, mogrify "
                + "-auto-orient)"));
    }
}
