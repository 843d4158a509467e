package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.precision.InParamsOut;
import xportdnn.sim.HeldArrays;
import xportdnn.validate.Validation;

/** Export then validate from code on the shipped example, leaving the calibration images out of the score. */
class ValidationPipelineTest {

    private static final Path DEPLOY = Path.of("examples/tinynet/deploy.prototxt");
    private static final Path WEIGHTS = Path.of("examples/tinynet/tinynet.caffemodel");
    private static final String LIST = "examples/tinynet/val.txt";
    private static final PreprocessingFlags FLAGS = new PreprocessingFlags(null, null, null, 255f,
            new float[] {128, 128, 128}, null, 1f);

    @TempDir
    Path dir;

    @Test
    void scoresEveryImageButTheCalibrationOnesAndKeepsEightBitsClose() {
        Path quantized = dir.resolve("q.prototxt");
        CalibrationSettings calibration = new CalibrationSettings(LIST, 10, 3L, null, 8, FLAGS);
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, quantized, new InParamsOut(8, 8, 8),
                false, null, null, calibration, null, false, false, null), Progress.NONE);

        ValidationSettings settings = new ValidationSettings(quantized, WEIGHTS, LIST, null, null, 1L,
                new ValidationSettings.Draw(10, 3L), 8, FLAGS, null, false, null, null, null);
        List<ImageSet.Entry> scored = ValidationPipeline.images(settings, ImageStore.LOCAL);
        Set<String> calibrated = new HashSet<>();
        Calibration.images(calibration, ImageStore.LOCAL).forEach(e -> calibrated.add(e.name()));
        assertEquals(10, calibrated.size());
        assertEquals(60 - 10, scored.size());
        scored.forEach(e -> assertTrue(!calibrated.contains(e.name()), e.name() + " was a calibration image"));

        ValidationPipeline.Result result = ValidationPipeline.run(settings, Progress.NONE);
        Validation v = result.validation();
        assertEquals(50, v.images());
        assertEquals(50, v.floatAccuracy().labelled());
        // A 3-class net whose classes differ by colour: 8-bit codes (step th/127) cannot turn the float answer.
        assertTrue(v.top1Agreement() >= 0.9, "agreement " + v.top1Agreement());
        for (Validation.LayerError e : v.layers()) {
            assertTrue(e.sqnrDb() > 15, e.name() + " SQNR " + e.sqnrDb()); // 8 bits: ~40 dB ideal, 15 leaves room
        }
    }

    /** Closing the result closes its simulator: the arrays its convolutions made are freed then. */
    @Test
    void closingTheResultClosesItsSimulator() {
        Path quantized = dir.resolve("q.prototxt");
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, quantized, new InParamsOut(8, 8, 8),
                false, null, null, new CalibrationSettings(LIST, 10, 3L, null, 8, FLAGS), null, false, false, null),
                Progress.NONE);
        ValidationSettings settings = new ValidationSettings(quantized, WEIGHTS, LIST, null, 4, 1L, null, 8, FLAGS,
                null, false, null, null, null);
        ValidationPipeline.Result result = ValidationPipeline.run(settings, Progress.NONE);
        List<INDArray> held = HeldArrays.of(result.fixedNet());
        assertFalse(held.isEmpty());
        assertTrue(held.stream().noneMatch(INDArray::wasClosed));
        result.close();
        assertTrue(held.stream().allMatch(INDArray::wasClosed));
        assertEquals(List.of(), HeldArrays.of(result.fixedNet()));
    }

    /**
     * A folded export compared with the original, unfolded net: its layers differ (no BatchNorm/Scale) but its
     * blobs do not, so the float side scores as the original does and every device output has its SQNR.
     */
    @Test
    void aFoldedNetIsComparedWithTheOriginalByBlob() {
        CalibrationSettings calibration = new CalibrationSettings(LIST, 10, 3L, null, 8, FLAGS);
        Path plain = dir.resolve("plain.prototxt");
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, plain, new InParamsOut(8, 8, 8),
                false, null, null, calibration, null, false, false, null), Progress.NONE);
        Path folded = dir.resolve("folded.prototxt");
        Path foldedWeights = dir.resolve("folded.caffemodel");
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, folded, new InParamsOut(8, 8, 8),
                false, null, null, calibration, null, true, false, foldedWeights), Progress.NONE);

        Validation original = ValidationPipeline.run(new ValidationSettings(plain, WEIGHTS, LIST, null, null, 1L,
                null, 8, FLAGS, null, false, null, null, null), Progress.NONE).validation();
        Validation v = ValidationPipeline.run(new ValidationSettings(folded, foldedWeights, LIST, null, null, 1L,
                null, 8, FLAGS, null, false, DEPLOY, WEIGHTS, null), Progress.NONE).validation();
        assertEquals(original.floatAccuracy().top1Rate(), v.floatAccuracy().top1Rate());
        List<String> compared = v.layers().stream().map(Validation.LayerError::name).toList();
        assertTrue(compared.containsAll(List.of("relu1", "pool1", "relu2", "pool2")), compared.toString());
        for (Validation.LayerError e : v.layers()) {
            assertTrue(e.sqnrDb() > 15, e.name() + " SQNR " + e.sqnrDb());
        }
    }

    /**
     * The list is read once: the outputs are checked against the files it names, handed over by the run that
     * opened it, before any image is screened (the command's check used to parse it a second time).
     */
    @Test
    void theListIsReadOnceAndCheckedAgainstBeforeAnyWork() throws Exception {
        Path quantized = dir.resolve("q.prototxt");
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, quantized, new InParamsOut(8, 8, 8),
                false, null, null, new CalibrationSettings(LIST, 10, 3L, null, 8, FLAGS), null, false, false, null),
                Progress.NONE);
        // val.txt naming its images by absolute paths, emptied once read: parsed again for the check, it names none
        Path folder = Path.of(LIST).toAbsolutePath().getParent();
        Path list = dir.resolve("val.txt");
        Files.write(list, Files.readAllLines(Path.of(LIST)).stream().map(l -> folder.resolve(l).toString()).toList());
        ValidationSettings settings = new ValidationSettings(quantized, WEIGHTS, list.toString(), null, 4, 1L, null, 8,
                FLAGS, null, false, null, null, null);
        CountingPasses passes = new CountingPasses();
        passes.afterRead = file -> CountingPasses.emptied(list);
        List<Path> checked = new ArrayList<>();
        ValidationPipeline.Result result = ValidationPipeline.run(settings, passes, Progress.NONE, inputs -> {
            assertEquals(List.of(), passes.screened, "outputs checked after images were screened");
            inputs.forEach(p -> checked.add(p.toAbsolutePath().normalize()));
        });
        assertEquals(List.of(list.toString()), passes.read);
        // the prototxt, its sidecar, the weights, the list and the 60 images it names
        assertEquals(3 + 1 + 60, checked.size());
        assertTrue(checked.contains(Path.of("examples/tinynet/images/green_00.png").toAbsolutePath()));
        assertEquals(4, result.validation().images());
    }
}
