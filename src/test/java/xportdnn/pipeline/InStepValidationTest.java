package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.FloatReference;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;
import xportdnn.validate.Validator;

/**
 * {@link Validator} runs the float pass in step with the simulator's and compares each output as both have it. Its
 * scores and per-layer errors are those of the plain definition: both passes run whole, every output kept, then
 * compared (by layer, or by blob with each blob's last value). On a net where the simulator reports an output
 * before the float net computes it (the convolution {@code conv_a} and its ReLU, fused into one step, come after
 * {@code conv_b}'s chain in the float net's order), by layer on the export and by blob against the original net.
 */
class InStepValidationTest {

    private static final String NET = """
            name: "twobranch"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            layer { name: "conv_a" type: "Convolution" bottom: "data" top: "a"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "conv_b" type: "Convolution" bottom: "data" top: "conv_b"
                    convolution_param { num_output: 8 kernel_size: 1 bias_term: false } }
            layer { name: "bn_b" type: "BatchNorm" bottom: "conv_b" top: "conv_b" }
            layer { name: "scale_b" type: "Scale" bottom: "conv_b" top: "conv_b" scale_param { bias_term: true } }
            layer { name: "relu_a" type: "ReLU" bottom: "a" top: "a" }
            layer { name: "cat" type: "Concat" bottom: "a" bottom: "conv_b" top: "cat" }
            """ + UnseenNets.CLASSIFIER_HEAD.formatted("cat");

    private static final int BATCH = 8;

    @TempDir
    Path dir;

    @Test
    void comparingInStepGivesTheErrorsOfWholePasses() {
        UnseenNets.NetFiles files = UnseenNets.write(dir, "twobranch", NET, 3);
        Path quantized = dir.resolve("q.prototxt");
        export(files, quantized, null);
        Net net = NetLoader.load(quantized, files.weights());
        FixedPointNet sim = new FixedPointNet(net);
        List<String> reported = sim.reportedLayers();
        assertTrue(reported.indexOf("relu_a") < reported.indexOf("scale_b"), reported.toString());
        assertTrue(layerIndex(net, "scale_b") < layerIndex(net, "relu_a"));

        Validation v = checkAgainstWholePasses(new FloatEngine(net), sim, false);
        assertTrue(names(v).containsAll(List.of("relu_a", "scale_b", "cat")), names(v).toString());
    }

    @Test
    void comparingInStepByBlobGivesTheErrorsOfWholePasses() {
        UnseenNets.NetFiles files = UnseenNets.write(dir, "twobranch", NET, 3);
        Path folded = dir.resolve("folded.prototxt");
        Path foldedWeights = dir.resolve("folded.caffemodel");
        export(files, folded, foldedWeights);
        FixedPointNet sim = new FixedPointNet(NetLoader.load(folded, foldedWeights));
        Net original = NetLoader.load(files.deploy(), files.weights());

        Validation v = checkAgainstWholePasses(new FloatEngine(original), sim, true);
        assertTrue(names(v).containsAll(List.of("relu_a", "conv_b", "cat")), names(v).toString());
    }

    /**
     * compare scores every scheme against the float net's scores computed once: the same scores as the in-step
     * validation and as whole passes, with the simulator run without an observer (in shares of each batch).
     */
    @Test
    void scoringAgainstAFloatReferenceGivesTheScoresOfWholePasses() {
        UnseenNets.NetFiles files = UnseenNets.write(dir, "twobranch", NET, 3);
        Path quantized = dir.resolve("q.prototxt");
        export(files, quantized, null);
        Net net = NetLoader.load(quantized, files.weights());
        FixedPointNet sim = new FixedPointNet(net);
        FloatEngine floatNet = new FloatEngine(net);
        Transformer transformer = new Transformer(UnseenNets.FLAGS.resolve(net));
        List<ImageSet.Entry> all = ImageSet.open(Path.of(UnseenNets.LIST), null).entries();
        List<ImageSet.Entry> images = IntStream.range(0, 20).mapToObj(i -> all.get(3 * i)).toList();
        ScoredOutput output = ScoredOutput.classScores("fc", 3);

        FloatReference reference = Validator.floatReference(floatNet, transformer, output, BATCH, images, n -> { });
        assertEquals(3, reference.batches().size(), "20 images in batches of 8");
        Validation scored = new Validator(floatNet, sim, transformer, output, BATCH, false)
                .run(images, reference, n -> { });
        Validation inStep = new Validator(floatNet, sim, transformer, output, BATCH, false).run(images, n -> { });
        Validation whole = wholePasses(floatNet, sim, transformer, images, false);
        assertEquals(whole.floatAccuracy(), scored.floatAccuracy());
        assertEquals(whole.fixedAccuracy(), scored.fixedAccuracy());
        assertEquals(whole.top1Agreement(), scored.top1Agreement());
        assertEquals(inStep.outputError(), scored.outputError());
        assertEquals(inStep.topOneDrop(), scored.topOneDrop());
        assertEquals(inStep.images(), scored.images());
        assertTrue(scored.layers().isEmpty(), "no layer compared");
        assertThrows(IllegalArgumentException.class, () -> new Validator(floatNet, sim, transformer, output, 4, false)
                .run(images, reference, n -> { }), "a reference of other batches");
    }

    private static void export(UnseenNets.NetFiles files, Path quantized, Path foldedWeights) {
        ExportPipeline.run(new ExportSettings(QuantType.Xilinx, files.deploy(), files.weights(), quantized,
                UnseenNets.EIGHT, false, null, null, UnseenNets.CALIBRATION, null, foldedWeights != null, false, false,
                foldedWeights, null), Progress.NONE);
    }

    /** The validator's result equals the whole passes', to the bit; returns it. */
    private static Validation checkAgainstWholePasses(FloatEngine floatNet, FixedPointNet sim, boolean byBlob) {
        Transformer transformer = new Transformer(UnseenNets.FLAGS.resolve(sim.net()));
        List<ImageSet.Entry> all = ImageSet.open(Path.of(UnseenNets.LIST), null).entries();
        List<ImageSet.Entry> images = IntStream.range(0, 20).mapToObj(i -> all.get(3 * i)).toList(); // every class
        Validation inStep = new Validator(floatNet, sim, transformer, ScoredOutput.classScores("fc", 3), BATCH,
                byBlob).run(images, n -> { });
        Validation whole = wholePasses(floatNet, sim, transformer, images, byBlob);
        assertEquals(whole.layers(), inStep.layers());
        assertEquals(whole.floatAccuracy(), inStep.floatAccuracy());
        assertEquals(whole.fixedAccuracy(), inStep.fixedAccuracy());
        assertEquals(whole.top1Agreement(), inStep.top1Agreement());
        assertEquals(images.size(), inStep.images());
        return inStep;
    }

    /** Both nets run whole on each batch with every output kept, then compared. */
    private static Validation wholePasses(FloatEngine floatNet, FixedPointNet sim, Transformer transformer,
                                          List<ImageSet.Entry> images, boolean byBlob) {
        Validation v = new Validation();
        int size = transformer.size();
        for (int first = 0; first < images.size(); first += BATCH) {
            int n = Math.min(BATCH, images.size() - first);
            float[] batch = new float[n * size];
            for (int i = 0; i < n; i++) {
                transformer.preprocess(images.get(first + i), batch, i * size);
            }
            Map<String, float[]> floatOutputs = new HashMap<>();
            float[] floatScores = Tensors.floats(floatNet.forward(batch, n,
                    (layer, tops) -> floatOutputs.put(key(layer, byBlob), Tensors.floats(tops.get(0)))).get("fc"));
            Map<String, float[]> fixedOutputs = new HashMap<>();
            Map<String, String> writers = new LinkedHashMap<>(); // in the order of each output's first write
            float[] fixedScores = Tensors.floats(sim.forward(batch, n, (layer, tops) -> {
                fixedOutputs.put(key(layer, byBlob), Tensors.floats(tops.get(0)));
                writers.put(key(layer, byBlob), layer.name());
            }).get("fc"));
            writers.forEach((key, writer) -> {
                if (floatOutputs.containsKey(key)) {
                    v.addLayer(writer, floatOutputs.get(key), fixedOutputs.get(key));
                }
            });
            for (int i = 0; i < n; i++) {
                v.addImage(images.get(first + i).label(), Arrays.copyOfRange(floatScores, 3 * i, 3 * i + 3),
                        Arrays.copyOfRange(fixedScores, 3 * i, 3 * i + 3));
            }
        }
        return v;
    }

    private static String key(Layer layer, boolean byBlob) {
        return byBlob ? layer.tops().get(0) : layer.name();
    }

    private static int layerIndex(Net net, String name) {
        return net.layers().indexOf(net.layer(name));
    }

    private static List<String> names(Validation v) {
        return v.layers().stream().map(Validation.LayerError::name).toList();
    }
}
