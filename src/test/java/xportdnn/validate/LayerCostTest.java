package xportdnn.validate;

import xportdnn.precision.NumberFormat;
import xportdnn.precision.ThresholdFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

class LayerCostTest {

    private static final Path EXAMPLE = Path.of("examples/tinynet");

    @Test
    void aFormatThatWipesALayerOutCostsItsAnswersAndAFineOneCostsNothing() {
        Net net = NetLoader.load(EXAMPLE.resolve("deploy.prototxt"), EXAMPLE.resolve("tinynet.caffemodel"));
        FloatEngine engine = new FloatEngine(net);
        Transformer transformer = new Transformer(new Preprocessing(new int[] {3, 32, 32}, null, null, 255f,
                new float[] {128, 128, 128}, null, 1f));
        List<ImageSet.Entry> images = ImageSet.open(EXAMPLE.resolve("val.txt"), null).entries();

        // The largest |value| pool2 reaches on these images, so a 16-bit format can hold it with a tiny step.
        double[] pool2Max = {0};
        float[] batch = new float[images.size() * transformer.size()];
        for (int i = 0; i < images.size(); i++) {
            transformer.preprocess(images.get(i), batch, i * transformer.size());
        }
        engine.forward(batch, images.size(), (layer, tops) -> {
            if (layer.name().equals("pool2")) {
                for (float v : Tensors.floats(tops.get(0))) {
                    pool2Max[0] = Math.max(pool2Max[0], Math.abs(v));
                }
            }
        });
        assertTrue(pool2Max[0] > 0);

        Map<String, NumberFormat> formats = new LinkedHashMap<>();
        // a step of 1e6 / 127 rounds every relu1 output to 0: the classifier then sees the same input for every
        // image and gives all of them one class, while the example's 60 images are spread over three classes
        formats.put("relu1", new ThresholdFormat(8, 1e6f));
        formats.put("pool2", new ThresholdFormat(16, (float) (2 * pool2Max[0])));
        int[] reported = {0};
        List<LayerCost.Cost> costs = new LayerCost(engine, formats, transformer, "prob", 7)
                .run(images, n -> reported[0] += n);

        assertEquals(images.size(), reported[0]);
        assertEquals(List.of("relu1", "pool2"), costs.stream().map(LayerCost.Cost::layer).toList());
        LayerCost.Cost wiped = costs.get(0);
        assertEquals(images.size(), wiped.images());
        assertTrue(wiped.agreement() <= 0.5, "one class for all: " + wiped.agreement());
        assertEquals(1.0, costs.get(1).agreement(), "16 bits over pool2's range change no answer");
    }
}
