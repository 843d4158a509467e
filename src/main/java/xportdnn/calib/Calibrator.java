package xportdnn.calib;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.NonFiniteValues;
import xportdnn.engine.layers.Tensors;

/**
 * Runs calibration images through the float engine in batches and streams statistics of every layer's own output
 * (the Input layer's entry is the preprocessed image), keeping no activation after its batch. Two passes: the
 * first finds each output's range, the second fills histograms laid out on that range, since the original tool's
 * KL-J bins depend on the whole run's element count and min |x|. Statistics are keyed by layer name; a layer with
 * several tops contributes all of them.
 */
public final class Calibrator {

    private final FloatEngine engine;
    private final Transformer transformer;
    private final int batchSize;

    public Calibrator(FloatEngine engine, Transformer transformer, int batchSize) {
        this.engine = engine;
        this.transformer = transformer;
        this.batchSize = batchSize;
    }

    /** Both passes: each layer's output statistics, with the KL-J histogram laid out by {@code sqrtBins}. */
    public Map<String, BlobHistograms> calibrate(List<ImageSet.Entry> images, ToIntFunction<ActivationRange> sqrtBins,
                                                 IntConsumer progress) {
        return histograms(images, ranges(images, progress), sqrtBins, progress);
    }

    /** First pass: the range of every layer's output. */
    public Map<String, ActivationRange> ranges(List<ImageSet.Entry> images, IntConsumer progress) {
        Map<String, ActivationRange> ranges = new LinkedHashMap<>();
        run(images, (layer, tops) -> {
            ActivationRange r = ranges.computeIfAbsent(layer.name(), k -> new ActivationRange());
            for (INDArray top : tops) {
                float[] v = Tensors.floats(top);
                r.add(v, 0, v.length);
            }
            if (!r.finite()) { // before any histogram is laid out on an infinite range
                throw NonFiniteValues.firstIn(layer);
            }
        }, progress);
        return ranges;
    }

    /** Second pass: histograms on the ranges found by the first (or merged from several shards' first passes). */
    public Map<String, BlobHistograms> histograms(List<ImageSet.Entry> images, Map<String, ActivationRange> ranges,
                                                  ToIntFunction<ActivationRange> sqrtBins, IntConsumer progress) {
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        ranges.forEach((name, range) -> stats.put(name, new BlobHistograms(range, sqrtBins.applyAsInt(range))));
        run(images, (layer, tops) -> {
            BlobHistograms h = stats.get(layer.name());
            for (INDArray top : tops) {
                float[] v = Tensors.floats(top);
                h.add(v, 0, v.length);
            }
        }, progress);
        return stats;
    }

    private void run(List<ImageSet.Entry> images, LayerObserver observer, IntConsumer progress) {
        Batches.run(images, transformer, batchSize, (batch, n, first) -> engine.forward(batch, n, observer), progress);
    }
}
