package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.CountingPasses;

/**
 * {@code compare --skip_bad_images} screens each image set once: the calibration images serve both the calibration
 * and bfp's per-channel passes, listed and screened once.
 */
class ComparisonScreeningTest {

    @Test
    void aBfpComparisonScreensTheCalibrationImagesOnce() {
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        CalibrationSettings calibration = new CalibrationSettings("examples/tinynet/images", 4, 1L, null, 8, mean,
                true);
        CompareSettings settings = new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), "examples/tinynet/val.txt", null, 6, 1L, calibration,
                SchemeSpec.parseList("naive:8,bfp:8"), 8);
        CountingPasses passes = new CountingPasses();
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE);
        assertEquals(4, result.calibrationImages());
        assertEquals(6, result.images());
        // the 6 scored images and the 4 calibration images, each set once
        assertEquals(List.of(4, 6), passes.screened);
    }

    /** One list scored and calibrated on: read once, its calibration draw left out of the scored images. */
    @Test
    void aListScoredAndCalibratedOnIsReadOnce() {
        String list = "examples/tinynet/val.txt";
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        CompareSettings settings = new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), list, null, null, 1L,
                new CalibrationSettings(list, 4, 1L, null, 8, mean, true), SchemeSpec.parseList("naive:8"), 8);
        CountingPasses passes = new CountingPasses();
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE);
        assertEquals(List.of(list), passes.read);
        assertEquals(4, result.calibrationImages());
        assertEquals(60 - 4, result.images());
    }
}
