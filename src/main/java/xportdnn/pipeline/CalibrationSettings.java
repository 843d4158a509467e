package xportdnn.pipeline;

import java.nio.file.Path;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.PreprocessingFlags;
import xportdnn.model.ModelException;

/**
 * Which images calibrate and how they are read: the set (a folder, a val.txt-style list or an IDX file), the draw
 * from it, the preprocessing and the batch size of the float passes.
 *
 * @param images        the image set: a local path, or with {@code --spark} any location Hadoop reads (a URI);
 *                      required
 * @param size          how many images are drawn at random (ignored when {@code indices} are given)
 * @param seed          the seed of that draw
 * @param indices       exactly these images (0-based, in name order) instead of a draw, or null
 * @param batch         images per forward pass
 * @param preprocessing the caffe.io.Transformer flags
 * @param skipBadImages take the selected images that cannot be read out, with a warning each (--skip_bad_images),
 *                      instead of failing on the first
 */
public record CalibrationSettings(String images, int size, long seed, int[] indices, int batch,
                                  PreprocessingFlags preprocessing, boolean skipBadImages) {

    public static final int DEFAULT_SIZE = 8;
    public static final int DEFAULT_BATCH = 8;

    public CalibrationSettings {
        if (images == null) {
            throw new ModelException("missing --calibration_directory (the calibration images)");
        }
        if (batch < 1) {
            throw new ModelException("--batch: " + batch + " is not a positive number");
        }
        indices = indices == null ? null : indices.clone();
        preprocessing = preprocessing == null ? PreprocessingFlags.defaults() : preprocessing;
    }

    /** Failing on the first image that cannot be read. */
    public CalibrationSettings(String images, int size, long seed, int[] indices, int batch,
                               PreprocessingFlags preprocessing) {
        this(images, size, seed, indices, batch, preprocessing, false);
    }

    /** {@code size} images of {@code images} drawn with the default seed, default preprocessing and batch. */
    public static CalibrationSettings of(Path images, int size) {
        return new CalibrationSettings(images.toString(), size, CalibrationSample.DEFAULT_SEED, null, DEFAULT_BATCH, null);
    }

    @Override
    public int[] indices() {
        return indices == null ? null : indices.clone();
    }
}
