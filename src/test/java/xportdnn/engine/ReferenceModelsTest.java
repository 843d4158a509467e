package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.SharedData;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

/**
 * Every layer of the six real models, run on the reference input, matches OpenCV's float output for that layer
 * (reference/<model>/layers): same shape and {@code max |ours - ref| / max |ref| <= 1e-4}. In-place layers are
 * compared by the layer's own output, so a convolution followed by an in-place ReLU is checked before and after.
 */
class ReferenceModelsTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @EnumSource(SharedData.Model.class)
    void everyLayerMatchesTheReference(SharedData.Model model) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        FloatEngine engine = new FloatEngine(net);
        Map<String, Double> errors = new LinkedHashMap<>();
        List<Executable> checks = new ArrayList<>();
        try (ReferenceOutputs reference = new ReferenceOutputs(model)) {
            engine.forward(reference.input(), (layer, tops) -> {
                if (layer.type().equals("Input")) {
                    return;
                }
                INDArray ours = tops.get(0);
                INDArray ref = reference.output(layer.name());
                String label = model + " layer " + layer.name() + " (" + layer.type() + ")";
                if (!Arrays.equals(ref.shape(), ours.shape())) {
                    checks.add(() -> assertArrayEquals(ref.shape(), ours.shape(), label + ": shape"));
                    return;
                }
                double error = ReferenceOutputs.relativeError(ours, ref);
                errors.put(layer.name(), error);
                checks.add(() -> assertTrue(error <= TOLERANCE, label + ": max relative error " + error));
            });
            List<String> expected = reference.layerNames();
            checks.add(() -> assertEquals(expected, new ArrayList<>(errors.keySet()), model + ": layers compared"));
        }
        String worst = errors.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> e.getKey() + " " + e.getValue()).orElse("none");
        System.out.println(model + ": " + errors.size() + " layers, worst relative error " + worst);
        assertAll(model + " against the OpenCV reference", checks);
    }

    /**
     * A pass without an observer runs another plan (Concats left out before pointwise convolutions) and splits a
     * batch into shares: the reference input twice in a batch gives OpenCV's outputs for both images.
     */
    @ParameterizedTest
    @EnumSource(SharedData.Model.class)
    void outputsWithoutAnObserverMatchTheReference(SharedData.Model model) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        FloatEngine engine = new FloatEngine(net);
        List<Executable> checks = new ArrayList<>();
        try (ReferenceOutputs reference = new ReferenceOutputs(model)) {
            INDArray input = reference.input();
            Map<String, INDArray> outputs = engine.forward(Nd4j.concat(0, input, input));
            for (String blob : engine.outputNames()) {
                String producer = net.layers().stream().filter(l -> l.tops().contains(blob)).reduce((a, b) -> b)
                        .orElseThrow().name();
                INDArray whole = reference.output(producer);
                INDArray ours = outputs.get(blob);
                String label = model + " output " + blob;
                if (ours.size(0) != 2 * whole.size(0)) {
                    checks.add(() -> assertEquals(2 * whole.size(0), ours.size(0), label + ": batch"));
                    continue;
                }
                boolean detections = net.layers().stream().anyMatch(l -> l.name().equals(producer) && l.type().equals("DetectionOutput"));
                for (int image = 0; image < 2; image++) {
                    INDArray ref = whole;
                    INDArray one = ours.get(NDArrayIndex.interval(image * ref.size(0), (image + 1) * ref.size(0)));
                    int n = image;
                    if (detections) { // [image id, label, confidence, box]: the ids name the image in the batch
                        INDArray rows = one.reshape(-1, 7);
                        INDArray refRows = ref.reshape(-1, 7);
                        for (int r = 0; r < refRows.size(0); r++) {
                            if (refRows.getFloat(r, 2) > 0) {
                                float id = rows.getFloat(r, 0);
                                checks.add(() -> assertEquals(n, id, label + ", image " + n + ": image id"));
                            }
                        }
                        one = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 7));
                        ref = refRows.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 7));
                    }
                    double error = ReferenceOutputs.relativeError(one, ref);
                    checks.add(() -> assertTrue(error <= TOLERANCE, label + ", image " + n + ": max relative error " + error));
                }
            }
        }
        assertAll(model + " without an observer against the OpenCV reference", checks);
    }
}
