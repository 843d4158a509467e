package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.precision.InParamsOut;
import xportdnn.sim.FixedPointNet;

/** The export pipeline driven from code, as a tool or a Spark task would, on the shipped example. */
class ExportPipelineTest {

    private static final Path DEPLOY = Path.of("examples/tinynet/deploy.prototxt");
    private static final Path WEIGHTS = Path.of("examples/tinynet/tinynet.caffemodel");
    private static final String IMAGES = "examples/tinynet/images";
    private static final InParamsOut EIGHT = new InParamsOut(8, 8, 8);

    @TempDir
    Path dir;

    private static CalibrationSettings calibration(int size) {
        PreprocessingFlags flags = new PreprocessingFlags(null, null, null, 255f, new float[] {128, 128, 128}, null,
                1f);
        return new CalibrationSettings(IMAGES, size, 7L, null, 4, flags);
    }

    private ExportSettings xilinx(Path out, Path report, CalibrationSettings calibration) {
        return new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, out, EIGHT, false, null, null, calibration,
                report, false, false, null);
    }

    @Test
    void xilinxRunFromCodeWritesAQuantizedNetTheSimulatorRuns() throws IOException {
        Path out = dir.resolve("q.prototxt");
        Path report = dir.resolve("r.json");
        AtomicLong reported = new AtomicLong();
        AtomicLong announced = new AtomicLong();
        Progress counting = (label, total) -> {
            announced.addAndGet(total);
            return new Progress.Step() {
                @Override
                public void accept(int done) {
                    reported.addAndGet(done);
                }

                @Override
                public void close() {
                }
            };
        };
        ExportPipeline.Outcome outcome = ExportPipeline.run(xilinx(out, report, calibration(6)), counting);

        // two calibration passes over 6 images, and the channel-order check over the set's 60
        assertEquals(2 * 6 + 60, announced.get());
        assertEquals(2 * 6 + 60, reported.get());
        assertTrue(outcome.summary().startsWith("calibrated on 6 images (kl-j); wrote "), outcome.summary());
        assertTrue(outcome.summary().endsWith(" to " + out), outcome.summary());
        assertTrue(Files.readString(report).contains("\"kl-j\""));
        Net quantized = NetLoader.load(out, WEIGHTS);
        for (Layer l : quantized.layers()) {
            if (l.type().equals("Convolution")) {
                assertEquals(quantized.shape(l.tops().get(0))[1], l.param().getPrecisionParam().getThParamsCount(),
                        l.name());
            }
        }
        assertEquals("Xilinx", new FixedPointNet(quantized).quantType());
    }

    @Test
    void settingsRefuseBeforeAnyWork() {
        Path out = dir.resolve("q.prototxt");
        assertEquals("missing --calibration_directory (the calibration images)",
                assertThrows(ModelException.class, () -> xilinx(out, null, null)).getMessage());
        // uniform DynamicFixed needs no calibration; auto does
        new ExportSettings(QuantType.DynamicFixed, DEPLOY, WEIGHTS, out, EIGHT, false, new InParamsOut(4, 6, 4), null,
                null, null, false, false, null);
        assertThrows(ModelException.class, () -> new ExportSettings(QuantType.DynamicFixed, DEPLOY, WEIGHTS, out,
                EIGHT, false, null, null, null, null, false, false, null));
        assertTrue(assertThrows(ModelException.class, () -> new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS,
                out, new InParamsOut(7, 8, 8), false, null, null, calibration(2), null, false, false, null))
                .getMessage().contains("7"));
        assertEquals("--fuse_bn needs --quantized_weights (the folded caffemodel)",
                assertThrows(ModelException.class, () -> new ExportSettings(QuantType.Xilinx, DEPLOY, WEIGHTS, out,
                        EIGHT, false, null, null, calibration(2), null, true, false, null)).getMessage());
        assertEquals("--batch: 0 is not a positive number", assertThrows(ModelException.class,
                () -> new CalibrationSettings(IMAGES, 2, 1L, null, 0, null)).getMessage());
    }

    /** Two outputs on one path, or an output in a missing folder, are refused before anything is written. */
    /**
     * A net of InnerProducts runs nowhere on the device: refused before calibrating, and nothing written (the
     * DynamicFixed export wrote a prototxt without a block, which validate refuses).
     */
    @Test
    void aNetWithNoLayerOnTheDeviceIsRefused() throws IOException {
        UnseenNets.NetFiles mlp = UnseenNets.write(dir, "mlp", """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
                layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 5 } }
                layer { name: "relu" type: "ReLU" bottom: "fc1" top: "fc1" }
                layer { name: "fc2" type: "InnerProduct" bottom: "fc1" top: "fc2" inner_product_param { num_output: 3 } }
                layer { name: "prob" type: "Softmax" bottom: "fc2" top: "prob" }
                """, 1);
        Path out = dir.resolve("q.prototxt");
        for (QuantType type : QuantType.values()) {
            ModelException e = assertThrows(ModelException.class, () -> ExportPipeline.run(new ExportSettings(type,
                    mlp.deploy(), mlp.weights(), out, EIGHT, false, null, null, calibration(4), null, false, false,
                    null), Progress.NONE));
            assertEquals(mlp.deploy() + ": CHaiDNN runs no layer of the net on the device (its InnerProduct, ReLU, "
                    + "Softmax run in software or not at all), so there is nothing to quantize (inspect shows where "
                    + "each layer runs)", e.getMessage());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void outputsAreAllOrNothing() throws IOException {
        Path out = dir.resolve("q.prototxt");
        ModelException same = assertThrows(ModelException.class,
                () -> ExportPipeline.run(xilinx(out, out, calibration(2)), Progress.NONE));
        assertTrue(same.getMessage().startsWith("--report: "), same.getMessage());
        assertTrue(same.getMessage().contains("--quantized_deploy_model"), same.getMessage());

        Path missingFolder = dir.resolve("nope/r.json");
        ModelException missing = assertThrows(ModelException.class,
                () -> ExportPipeline.run(xilinx(out, missingFolder, calibration(2)), Progress.NONE));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        ModelException input = assertThrows(ModelException.class,
                () -> ExportPipeline.run(xilinx(out, DEPLOY, calibration(2)), Progress.NONE));
        assertTrue(input.getMessage().startsWith("--report: refusing to overwrite the input"), input.getMessage());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "nothing written, no temporary file left");
        }
        assertFalse(Files.exists(out));
    }
}
