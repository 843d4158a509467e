package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;

/** The six real models load with their caffemodels, with the shapes OpenCV found (reference/<model>/layers.tsv). */
class RealModelsTest {

    @ParameterizedTest
    @EnumSource(SharedData.Model.class)
    void everyLayerHasTheReferenceShape(SharedData.Model model) throws IOException {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        List<String> rows = Files.readAllLines(model.reference("layers.tsv"));
        List<String> header = Arrays.asList(rows.get(0).split("\t"));
        int layerColumn = header.indexOf("layer");
        int shapeColumn = header.indexOf("shape");
        // The reference ran with batch 1; the net keeps the batch the prototxt declares (64 for LeNet).
        int batch = net.layers().get(0).topShapes().get(0)[0];
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split("\t");
            int[] reference = Arrays.stream(cells[shapeColumn].split("x")).mapToInt(Integer::parseInt).toArray();
            reference[0] *= batch;
            Layer layer = net.layer(cells[layerColumn]);
            assertArrayEquals(reference, layer.topShapes().get(0), model + " layer " + layer.name() + ": got "
                    + Blob.describe(layer.topShapes().get(0)) + ", reference " + cells[shapeColumn]);
        }
        assertEquals(rows.size() - 1 + inputLayers(net), net.layers().size(), "one reference row per non-Input layer");
        for (Layer layer : net.layers()) {
            assertEquals(net.parameterShapes(layer).size(), layer.weights().size(), layer.name());
            for (int i = 0; i < layer.weights().size(); i++) {
                assertArrayEquals(net.parameterShapes(layer).get(i), layer.weights().get(i).shape(), layer.name());
            }
            assertEquals(0, layer.param().getBlobsCount(), "the definition carries no blobs");
        }
        assertTrue(net.definition().getInputCount() == 0 && net.definition().getInputDimCount() == 0
                && net.definition().getLayersCount() == 0, "upgraded definition");
    }

    private static long inputLayers(Net net) {
        return net.layers().stream().filter(l -> l.type().equals("Input")).count();
    }

    /** Published parameter counts (models/<name>/SOURCE.md): every blob of the caffemodel's deploy layers. */
    @Test
    void parameterCountsMatchSourceMd() {
        assertEquals(431_080, parameters(SharedData.Model.LENET));
        assertEquals(274_847, parameters(SharedData.Model.RESNET20));
        assertEquals(673_360, parameters(SharedData.Model.YUFACE));
    }

    private static long parameters(SharedData.Model model) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        long fromWeights = net.layers().stream().mapToLong(Layer::parameterCount).sum();
        Net withoutWeights = NetLoader.load(model.prototxt(), null);
        assertEquals(fromWeights, withoutWeights.parameterCount(), "counted from the definition alone");
        assertFalse(withoutWeights.layers().stream().anyMatch(l -> !l.weights().isEmpty()));
        return fromWeights;
    }
}
