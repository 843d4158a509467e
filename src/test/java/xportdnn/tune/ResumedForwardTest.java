package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.data.RepeatedBatches;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.pipeline.Calibration;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.ExportPipeline;
import xportdnn.pipeline.ExportSettings;
import xportdnn.pipeline.QuantType;
import xportdnn.precision.InParamsOut;
import xportdnn.sim.FixedPointNet;

/**
 * Fast finetune whose passes resume from the values the last pass kept at its cut gives the same tuning as passes
 * that all run from the image (a frontier budget of 0 keeps nothing). On a branching net built here: conv2a and
 * conv2b read conv1's output and share a pass, their outputs are concatenated for conv3, and conv4 reads conv1's
 * output again, so the last pass (conv3, conv4) resumes before conv3 holding both the Concat's output and conv1's,
 * and conv4's input comes from the kept values, not from a layer the pass runs. Batches of 3 on 8 images: the last
 * batch is smaller.
 */
class ResumedForwardTest {

    private static final String NET = """
            name: "branching"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "c1" top: "c1" }
            layer { name: "conv2a" type: "Convolution" bottom: "c1" top: "a"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "relu2a" type: "ReLU" bottom: "a" top: "a" }
            layer { name: "conv2b" type: "Convolution" bottom: "c1" top: "b"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu2b" type: "ReLU" bottom: "b" top: "b" }
            layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat" }
            layer { name: "conv3" type: "Convolution" bottom: "cat" top: "c3"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "conv4" type: "Convolution" bottom: "c1" top: "c4"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "c3" bottom: "c4" top: "sum" }
            layer { name: "pool" type: "Pooling" bottom: "sum" top: "pool" pooling_param { pool: AVE global_pooling: true } }
            """;
    private static final String LIST = "examples/tinynet/val.txt";
    private static final PreprocessingFlags FLAGS = new PreprocessingFlags(null, null, null, 255f,
            new float[] {128, 128, 128}, null, 1f);

    @TempDir
    Path dir;

    /** The branching net quantized (Xilinx 6-bit), its calibration images and their transformer. */
    private record Setup(Net plain, List<ImageSet.Entry> images, Transformer transformer) {
    }

    private Setup setup() throws IOException {
        Path deploy = dir.resolve("branching.prototxt");
        Path weights = dir.resolve("branching.caffemodel");
        Files.writeString(deploy, NET);
        try (OutputStream out = Files.newOutputStream(weights)) {
            TestWeights.random(TestWeights.definition(NET), 7L).writeTo(out);
        }
        Path prototxt = dir.resolve("plain.prototxt");
        Path caffemodel = dir.resolve("plain.caffemodel");
        CalibrationSettings calibration = new CalibrationSettings(LIST, 8, 3L, null, 3, FLAGS);
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, deploy, weights, prototxt, new InParamsOut(6, 6, 6),
                false, null, null, calibration, null, true, false, caffemodel), Progress.NONE);
        Net plain = NetLoader.load(prototxt, caffemodel);
        return new Setup(plain, Calibration.images(calibration, ImageStore.LOCAL),
                new Transformer(FLAGS.resolve(plain)));
    }

    @Test
    void resumedPassesTuneAsPassesFromTheImage() throws IOException {
        Setup setup = setup();
        Net plain = setup.plain();
        List<ImageSet.Entry> images = setup.images();
        Transformer transformer = setup.transformer();
        assertEquals(List.of(List.of("conv1"), List.of("conv2a", "conv2b"), List.of("conv3", "conv4")),
                TuningPasses.of(plain.layers(), java.util.Set.of("conv1", "conv2a", "conv2b", "conv3", "conv4"))
                        .stream().map(p -> p.stream().map(l -> l.name()).toList()).toList());

        FastFinetune.Result resumed = FastFinetune.run(plain, plain.definition(), images, transformer, 3,
                Progress.NONE, TuningTarget.FLOAT_OUTPUT, Long.MAX_VALUE);
        FastFinetune.Result fromImage = FastFinetune.run(plain, plain.definition(), images, transformer, 3,
                Progress.NONE, TuningTarget.FLOAT_OUTPUT, 0);

        assertEquals(5, resumed.layers().size());
        for (int i = 0; i < resumed.layers().size(); i++) {
            FastFinetune.LayerResult r = resumed.layers().get(i);
            FastFinetune.LayerResult f = fromImage.layers().get(i);
            assertEquals(f.layer(), r.layer());
            assertArrayEquals(f.codes(), r.codes(), r.layer());
            assertEquals(f.sqnrTuned(), r.sqnrTuned(), r.layer());
            assertEquals(f.format(), r.format(), r.layer());
        }
        assertEquals(fromImage.definition(), resumed.definition());
        NetParameter expected = fromImage.caffemodel();
        assertEquals(expected, resumed.caffemodel());
        // the resumed run let the images go after its first pass (every later batch resumed): the same file bytes
        assertArrayEquals(expected.toByteArray(), resumed.caffemodel().toByteArray());
    }

    /**
     * The native memory a batch freed is given back after that batch (8 images in batches of 3: three batches), once
     * its statistics are taken, not only at the end of the pass.
     */
    @Test
    void afterEveryBatchOfAPassTheFreedNativeMemoryIsTrimmed() throws IOException {
        Setup setup = setup();
        Net plain = setup.plain();
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < plain.layers().size(); i++) {
            order.put(plain.layers().get(i).name(), i);
        }
        List<InputCapture.Reader> readers = List.of(new InputCapture.Reader("conv2a", "c1", order.get("conv2a")));
        List<String> events = new ArrayList<>();
        ResumedForward forward = new ResumedForward(new RepeatedBatches(setup.images(), setup.transformer(), 3),
                Long.MAX_VALUE, () -> events.add("trim"));

        forward.run(new FloatEngine(plain), new FixedPointNet(plain), order, readers,
                InputCapture.layersNeeded(readers), order.get("conv2a"),
                (floatInputs, deviceInputs, n) -> events.add("batch of " + n), n -> { });

        assertEquals(List.of("batch of 3", "trim", "batch of 3", "trim", "batch of 2", "trim"), events);
    }

    /**
     * Once a pass has kept every batch's values at its cut, the next pass resumes them all: it reads no image, so
     * the decoded calibration images are let go (the tuning is unchanged: {@link #resumedPassesTuneAsPassesFromTheImage}).
     */
    @Test
    void aPassThatResumesEveryBatchLetsTheImagesGo() throws IOException {
        Setup setup = setup();
        Net plain = setup.plain();
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < plain.layers().size(); i++) {
            order.put(plain.layers().get(i).name(), i);
        }
        RepeatedBatches batches = new RepeatedBatches(setup.images(), setup.transformer(), 3);
        ResumedForward forward = new ResumedForward(batches, Long.MAX_VALUE, () -> { });
        FloatEngine floatNet = new FloatEngine(plain);
        FixedPointNet fixed = new FixedPointNet(plain);
        List<String> events = new ArrayList<>();
        ResumedForward.Inputs seen = (floatInputs, deviceInputs, n) -> events.add("batch of " + n);

        List<InputCapture.Reader> first = List.of(new InputCapture.Reader("conv2a", "c1", order.get("conv2a")));
        forward.run(floatNet, fixed, order, first, InputCapture.layersNeeded(first), order.get("conv2a"), seen, n -> { });
        assertTrue(batches.holdsImages(), "the first pass decodes and keeps them");
        List<InputCapture.Reader> second = List.of(new InputCapture.Reader("conv3", "cat", order.get("conv3")));
        forward.run(floatNet, fixed, order, second, InputCapture.layersNeeded(second), order.get("conv3"), seen, n -> { });
        assertFalse(batches.holdsImages(), "every batch resumed before conv2a");

        assertEquals(List.of("batch of 3", "batch of 3", "batch of 2", "batch of 3", "batch of 3", "batch of 2"), events);
    }
}
