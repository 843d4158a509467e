package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE, inputs -> { });
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
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE, inputs -> { });
        assertEquals(List.of(list), passes.read);
        assertEquals(4, result.calibrationImages());
        assertEquals(60 - 4, result.images());
    }

    /**
     * Two lists, one scored and one calibrated on: each read once, the outputs checked against every image either
     * names before any image is screened (the command's check used to parse both lists a second time: here the
     * calibration list is emptied by then).
     */
    @Test
    void twoListsAreEachReadOnceAndCheckedAgainstBeforeAnyWork(@TempDir Path dir) throws Exception {
        String scored = "examples/tinynet/val.txt";
        Path images = Path.of("examples/tinynet/images").toAbsolutePath();
        Path calibrationList = dir.resolve("calibration.txt");
        Files.writeString(calibrationList, images.resolve("red_01.png") + " 0\n" + images.resolve("green_01.png")
                + " 1\n" + images.resolve("blue_01.png") + " 2\n");
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        CompareSettings settings = new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), scored, null, 5, 1L,
                new CalibrationSettings(calibrationList.toString(), 3, 1L, null, 8, mean, true),
                SchemeSpec.parseList("naive:8"), 8);
        CountingPasses passes = new CountingPasses();
        // the calibration list emptied once read: parsed again for the check, it would name no image
        passes.afterRead = file -> {
            if (file.equals(calibrationList.toString())) {
                CountingPasses.emptied(calibrationList);
            }
        };
        List<Path> checked = new ArrayList<>();
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE, inputs -> {
            assertEquals(List.of(), passes.screened, "outputs checked after images were screened");
            inputs.forEach(p -> checked.add(p.toAbsolutePath().normalize()));
        });
        assertEquals(List.of(scored, calibrationList.toString()), passes.read);
        // the model's two files, each list and every image it names (60 and 3)
        assertEquals(2 + 1 + 60 + 1 + 3, checked.size());
        assertTrue(checked.contains(images.resolve("blue_00.png")), "an image of the scored list");
        assertTrue(checked.contains(images.resolve("blue_01.png")), "an image of the calibration list");
        assertEquals(3, result.calibrationImages());
        assertEquals(5, result.images());
    }
}
