package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.SharedData;
import xportdnn.model.NetLoader;

/** An image in the middle of a batch of 3 gets, layer by layer, the outputs it gets alone. */
class BatchConsistencyTest {

    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @EnumSource(SharedData.Model.class)
    void theMiddleImageOfABatchMatchesItsOwnRun(SharedData.Model model) {
        FloatEngine engine = new FloatEngine(NetLoader.load(model.prototxt(), model.caffemodel()));
        INDArray image;
        try (ReferenceOutputs reference = new ReferenceOutputs(model)) {
            image = reference.input();
        }
        Map<String, INDArray> alone = new HashMap<>();
        engine.forward(image, (layer, tops) -> alone.put(layer.name(), tops.get(0).dup()));

        // neighbours: the image negated, and the image halved
        INDArray batch = Nd4j.concat(0, image.neg(), image, image.mul(0.5));
        List<Executable> checks = new ArrayList<>();
        engine.forward(batch, (layer, tops) -> {
            INDArray one = alone.get(layer.name());
            INDArray all = tops.get(0);
            String label = model + " layer " + layer.name();
            if (all.size(0) == 1) { // PriorBox: one set of priors serves the whole batch
                double error = ReferenceOutputs.relativeError(all, one);
                checks.add(() -> assertTrue(error <= TOLERANCE, label + ": relative difference " + error));
                return;
            }
            assertEquals(3, all.size(0), label + ": batch axis");
            INDArray middle = all.get(NDArrayIndex.interval(1, 2)).dup();
            if (layer.type().equals("DetectionOutput")) {
                checks.add(() -> assertDetectionsOfImage(1, middle, one, label));
            } else {
                checks.add(() -> assertArrayEquals(one.shape(), middle.shape(), label + ": shape"));
                double error = Arrays.equals(one.shape(), middle.shape()) ? ReferenceOutputs.relativeError(middle, one) : 0;
                checks.add(() -> assertTrue(error <= TOLERANCE, label + ": relative difference " + error));
            }
        });
        assertAll(checks);
    }

    /** Same rows as alone, except that the image id column says {@code imageId} where there is a detection. */
    private static void assertDetectionsOfImage(int imageId, INDArray inBatch, INDArray alone, String label) {
        assertArrayEquals(alone.shape(), inBatch.shape(), label + ": shape");
        INDArray ours = inBatch.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 7));
        INDArray ref = alone.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 7));
        assertTrue(ReferenceOutputs.relativeError(ours.dup(), ref.dup()) <= TOLERANCE, label + ": detections");
        for (int r = 0; r < inBatch.size(2); r++) {
            boolean detection = inBatch.getFloat(0, 0, r, 2) > 0;
            assertEquals(detection ? imageId : 0, inBatch.getFloat(0, 0, r, 0), label + ": image id of row " + r);
        }
    }
}
