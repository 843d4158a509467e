package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.pipeline.Calibration;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.ExportPipeline;
import xportdnn.pipeline.ExportSettings;
import xportdnn.pipeline.LoadedNet;
import xportdnn.pipeline.QuantType;
import xportdnn.pipeline.ValidationPipeline;
import xportdnn.pipeline.ValidationSettings;
import xportdnn.precision.InParamsOut;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.sim.FixedPointNet;

/**
 * Fast finetuning of the shipped example at 6 bits, both modes: what is written is what the device computes (the
 * runtime's own quantization of the written floats gives exactly the chosen codes, th_params hold every written
 * weight), and the device's output on images not used for tuning is closer to the float net's than without it.
 */
class FastFinetuneTest {

    private static final Path DEPLOY = Path.of("examples/tinynet/deploy.prototxt");
    private static final Path WEIGHTS = Path.of("examples/tinynet/tinynet.caffemodel");
    private static final String LIST = "examples/tinynet/val.txt";
    private static final PreprocessingFlags FLAGS = new PreprocessingFlags(null, null, null, 255f,
            new float[] {128, 128, 128}, null, 1f);
    private static final InParamsOut SIX = new InParamsOut(6, 6, 6);

    @TempDir
    Path dir;

    private Net export(QuantType type, boolean tune, String name) {
        Path prototxt = dir.resolve(name + ".prototxt");
        Path caffemodel = dir.resolve(name + ".caffemodel");
        ExportPipeline.run(new ExportSettings(type, DEPLOY, WEIGHTS, prototxt, SIX, false, null, null,
                new CalibrationSettings(LIST, 20, 3L, null, 8, FLAGS), null, true, tune, caffemodel), Progress.NONE);
        return NetLoader.load(prototxt, caffemodel);
    }

    @Test
    void xilinxWritesWhatTheDeviceComputesAndGetsCloser() {
        check(QuantType.Xilinx);
    }

    @Test
    void dynamicFixedWritesWhatTheDeviceComputesAndGetsCloser() {
        check(QuantType.DynamicFixed);
    }

    private void check(QuantType type) {
        Net plain = export(type, false, "plain");
        Net tuned = export(type, true, "tuned");
        // The same tuning the export ran (same net, images and seed), for the codes it chose.
        FastFinetune.Result result = FastFinetune.run(plain, plain.definition(), calibrationImages(),
                new Transformer(FLAGS.resolve(plain)), 8, Progress.NONE, TuningTarget.FLOAT_OUTPUT);
        PrecisionScheme scheme = PrecisionScheme.of(tuned);
        int checked = 0;
        for (FastFinetune.LayerResult r : result.layers()) {
            if (!r.tuned()) {
                continue;
            }
            Layer conv = tuned.layer(r.layer());
            Blob written = conv.weights().get(0);
            int perChannel = written.count() / written.shape()[0];
            NumberFormat format = scheme.weights(conv, PrecisionScheme.block(conv), written, false);
            assertArrayEquals(r.codes(), format.quantize(written.data(), perChannel), r.layer());
            for (int i = 0; i < written.count(); i++) {
                int channel = (i / perChannel) % format.channels();
                assertTrue(Math.abs(written.data()[i]) <= format.maxCode() * format.step(channel) * (1 + 1e-6),
                        r.layer() + ": a written weight beyond its format's range would be clipped");
            }
            NumberFormat output = scheme.output(conv, PrecisionScheme.block(conv));
            for (float b : conv.weights().get(1).data()) {
                assertEquals(b, output.dequantize(output.quantize(b, 0), 0), r.layer() + ": bias off the grid");
            }
            assertTrue(r.sqnrTuned() > r.sqnrPlain(), r.layer());
            checked++;
        }
        assertEquals(2, checked, "both convolutions tuned");
        String blob = "conv2"; // the last device convolution's output, after its ReLU
        assertTrue(error(tuned, blob) < error(plain, blob), "tuned " + error(tuned, blob) + " plain "
                + error(plain, blob));
    }

    private static List<ImageSet.Entry> calibrationImages() {
        return Calibration.images(new CalibrationSettings(LIST, 20, 3L, null, 8, FLAGS), ImageStore.LOCAL);
    }

    /** Mean squared difference of {@code blob} between the original float net and the device, on unseen images. */
    private static double error(Net quantized, String blob) {
        Net reference = LoadedNet.load(DEPLOY, WEIGHTS, false).net();
        List<ImageSet.Entry> scored = ValidationPipeline.images(new ValidationSettings(DEPLOY, WEIGHTS, LIST, null,
                null, 1L, new ValidationSettings.Draw(20, 3L), 40, FLAGS, null, false, null, null, null), ImageStore.LOCAL);
        Transformer transformer = new Transformer(FLAGS.resolve(reference));
        FloatEngine floatEngine = new FloatEngine(reference);
        FixedPointNet device = new FixedPointNet(quantized);
        double sum = 0;
        int count = 0;
        for (ImageSet.Entry e : scored) {
            float[] input = new float[transformer.size()];
            transformer.preprocess(e, input, 0);
            float[] expected = capture(floatEngine::forward, input, blob);
            float[] actual = capture(device::forward, input, blob);
            for (int i = 0; i < expected.length; i++) {
                double d = expected[i] - actual[i];
                sum += d * d;
            }
            count += expected.length;
        }
        return sum / count;
    }

    private interface Forward {
        void run(float[] input, int batch, LayerObserver observer);
    }

    private static float[] capture(Forward net, float[] input, String blob) {
        float[][] seen = new float[1][];
        net.run(input, 1, (layer, tops) -> {
            int t = layer.tops().indexOf(blob);
            if (t >= 0) {
                seen[0] = Tensors.floats(tops.get(t));
            }
        });
        return seen[0];
    }
}
