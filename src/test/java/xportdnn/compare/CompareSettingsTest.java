package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.data.PreprocessingFlags;
import xportdnn.pipeline.CalibrationSettings;

class CompareSettingsTest {

    private static final String VAL = "examples/tinynet/val.txt";

    private static CompareSettings scoringAndCalibratingOn(String images, String calibration) {
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        return new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), images, null, null, 1L,
                new CalibrationSettings(calibration, 4, 1L, null, 8, mean), SchemeSpec.parseList("naive:8"), 8);
    }

    /** The scored list is also the calibration set: its files are listed (and the list parsed) once. */
    @Test
    void aSetScoredAndCalibratedOnIsListedOnce() throws Exception {
        List<Path> inputs = scoringAndCalibratingOn(VAL, VAL).inputFiles(null, null);
        long lines = Files.readAllLines(Path.of(VAL)).stream().filter(l -> !l.isBlank()).count();
        assertEquals(2 + 1 + lines, inputs.size()); // the model's two files, the list, each image it names
        assertEquals(inputs.size(), new HashSet<>(inputs).size());
        // two sets: both listed
        assertEquals(2 + 1 + lines + 1,
                scoringAndCalibratingOn(VAL, "examples/tinynet/images").inputFiles(null, null).size());
    }
}
