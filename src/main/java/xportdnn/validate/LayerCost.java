package xportdnn.validate;

import xportdnn.precision.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.validate.Prediction;
import xportdnn.data.Transformer;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.layers.Tensors;

/**
 * What each fixed-point output costs on its own: for every output the device writes in a fixed-point format, the
 * float net runs with only that output rounded to its format (weights and every other layer stay float) and its
 * top-1 is compared with the plain float net's. The layers whose rounding alone changes many top-1 answers are
 * where a quantized net loses its accuracy. Each batch of images is decoded once and run once per layer, so
 * memory does not grow with the set.
 */
public final class LayerCost {

    /** How often the float net's top-1 survives rounding only {@code layer}'s output to {@code format}. */
    public record Cost(String layer, NumberFormat format, long images, long agreeing) {

        public double agreement() {
            return images == 0 ? Double.NaN : agreeing / (double) images;
        }
    }

    private final FloatEngine engine;
    private final Map<String, NumberFormat> formats;
    private final Transformer transformer;
    private final String scoreBlob;
    private final int batchSize;

    /**
     * @param formats   the output format of each layer to cost, as {@link FixedPointNet#outputFormats()} gives them
     * @param scoreBlob the class-score blob of the float net
     */
    public LayerCost(FloatEngine engine, Map<String, NumberFormat> formats, Transformer transformer, String scoreBlob,
                     int batchSize) {
        this.engine = engine;
        this.formats = formats;
        this.transformer = transformer;
        this.scoreBlob = scoreBlob;
        this.batchSize = batchSize;
    }

    /** @param progress told of every image once all the layers have been run on it */
    public List<Cost> run(List<ImageSet.Entry> images, IntConsumer progress) {
        List<String> layers = new ArrayList<>(formats.keySet());
        long[] agreeing = new long[layers.size()];
        Batches.run(images, transformer, batchSize, (batch, n, first) -> {
            int[] reference = top1(BlobCapture.forward(engine, batch, n, scoreBlob, null), n);
            for (int k = 0; k < layers.size(); k++) {
                int[] rounded = top1(BlobCapture.forward(engine, batch, n, scoreBlob, rounding(layers.get(k))), n);
                for (int i = 0; i < n; i++) {
                    if (rounded[i] == reference[i]) {
                        agreeing[k]++;
                    }
                }
            }
        }, progress);
        List<Cost> costs = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            costs.add(new Cost(layers.get(k), formats.get(layers.get(k)), images.size(), agreeing[k]));
        }
        return costs;
    }

    /** Rounds the named layer's outputs to its format in the engine's memory, so the layers after it read them. */
    private LayerObserver rounding(String layer) {
        NumberFormat format = formats.get(layer);
        return (l, tops) -> {
            if (!l.name().equals(layer)) {
                return;
            }
            for (INDArray top : tops) {
                float[] values = Tensors.floats(top);
                float[] rounded = format.dequantize(format.quantize(values, values.length), values.length);
                try (INDArray r = Nd4j.create(rounded, top.shape(), 'c')) {
                    top.assign(r);
                }
            }
        };
    }

    /** Each image's top-1 class in a pass's class scores (any blob of the net), which are freed. */
    private int[] top1(INDArray classScores, int images) {
        float[] scores = Tensors.floats(classScores);
        classScores.close();
        int classes = scores.length / images;
        int[] best = new int[images];
        for (int i = 0; i < images; i++) {
            best[i] = Prediction.rank(scores, i * classes, classes, 1, false).classes()[0];
        }
        return best;
    }
}
