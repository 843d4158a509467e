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
}
