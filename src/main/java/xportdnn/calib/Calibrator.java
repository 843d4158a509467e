package xportdnn.calib;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.data.Batches;
import xportdnn.data.FloatImage;
import xportdnn.data.ImageFlags;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.NonFiniteValues;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;

/**
 * Runs calibration images through the float engine in batches and streams statistics of every layer's own output
 * (the Input layer's entry is the preprocessed image), keeping no activation after its batch. Two passes: the
 * first finds each output's range, the second fills histograms laid out on that range, since the original tool's
 * KL-J bins depend on the whole run's element count and min |x|. Statistics are keyed by layer name; a layer with
 * several tops contributes all of them.
 */
public final class Calibrator {

    /**
     * How far a grey picture's channels may differ: two codes of an 8-bit channel, what JPEG's chroma rounding
     * leaves in a grey picture saved in colour.
     */
    public static final float GREY_TOLERANCE = 2f / 255;

    private final FloatEngine engine;
    private final Transformer transformer;
    private final int batchSize;

    public Calibrator(FloatEngine engine, Transformer transformer, int batchSize) {
        this.engine = engine;
        this.transformer = transformer;
        this.batchSize = batchSize;
    }

    /** Both passes: each layer's output statistics, with the KL-J histogram laid out by {@code sqrtBins}. */
    public CalibrationHistograms calibrate(List<ImageSet.Entry> images, ToIntFunction<ActivationRange> sqrtBins,
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

    /**
     * Second pass: histograms on the ranges found by the first (or merged from several shards' first passes), and
     * what it saw of the pictures ({@link PictureCounts}: the grey ones, and the float net's top class of each when
     * the net's last output is one score per class).
     */
    public CalibrationHistograms histograms(List<ImageSet.Entry> images, Map<String, ActivationRange> ranges,
                                            ToIntFunction<ActivationRange> sqrtBins, IntConsumer progress) {
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        ranges.forEach((name, range) -> stats.put(name, new BlobHistograms(range, sqrtBins.applyAsInt(range))));
        ImageFlags grey = new ImageFlags(images.size(), image -> image.grey(GREY_TOLERANCE));
        ImageFlags turned = new ImageFlags(images.size(), FloatImage::turned);
        Net net = engine.net();
        String scores = classScores(net);
        int classes = net.classesIn(scores);
        Layer scorer = net.lastWriter(scores);
        TopClassTally tops = new TopClassTally(Math.max(classes, 1));
        run(images, (index, image) -> {
            grey.accept(index, image);
            turned.accept(index, image);
        }, (layer, outputs) -> {
            BlobHistograms h = stats.get(layer.name());
            for (INDArray top : outputs) {
                float[] v = Tensors.floats(top);
                h.add(v, 0, v.length);
            }
            if (classes > 1 && layer == scorer) {
                tops.add(Tensors.floats(outputs.get(layer.tops().indexOf(scores))));
            }
        }, progress);
        return new CalibrationHistograms(stats, classes > 1
                ? new PictureCounts(images.size(), grey.count(), turned.count(), tops.counts(), tops.margins())
                : new PictureCounts(images.size(), grey.count(), turned.count(), new int[0], new float[0]));
    }

    /**
     * The blob a classifier's class scores are read from: the net's last output, or the input of the Softmax that
     * writes it (the same order of classes, in the units the last computing layer wrote them in).
     */
    public static String classScores(Net net) {
        String last = net.lastOutput();
        Layer writer = net.lastWriter(last);
        return writer != null && writer.layerType() == LayerType.SOFTMAX && writer.bottoms().size() == 1
                ? writer.bottoms().get(0) : last;
    }

    /**
     * Both passes of the per-channel statistics ({@link ChannelStatistics}) of the first output of each layer in
     * {@code layers}: for schemes that choose a format per channel of an activation (compare's bfp:M).
     */
    public Map<String, ChannelStatistics> channelStatistics(List<ImageSet.Entry> images, Set<String> layers,
                                                            IntConsumer progress) {
        return channelHistograms(images, channelMaxima(images, layers, progress), progress);
    }

    /** First per-channel pass: each channel's largest |x| in the first output of each layer in {@code layers}. */
    public Map<String, float[]> channelMaxima(List<ImageSet.Entry> images, Set<String> layers, IntConsumer progress) {
        Map<String, ChannelMaxima> maxima = new LinkedHashMap<>();
        run(images, (layer, tops) -> {
            if (layers.contains(layer.name())) {
                INDArray top = tops.get(0);
                maxima.computeIfAbsent(layer.name(), k -> new ChannelMaxima(channels(top)))
                        .add(Tensors.floats(top), plane(top));
            }
        }, progress);
        Map<String, float[]> out = new LinkedHashMap<>();
        maxima.forEach((name, m) -> out.put(name, m.maxAbs()));
        return out;
    }

    /** Second per-channel pass: histograms laid out on {@code maxima} (or merged from several shards' first passes). */
    public Map<String, ChannelStatistics> channelHistograms(List<ImageSet.Entry> images, Map<String, float[]> maxima,
                                                            IntConsumer progress) {
        Map<String, ChannelStatistics> stats = new LinkedHashMap<>();
        maxima.forEach((name, m) -> stats.put(name, new ChannelStatistics(m)));
        run(images, (layer, tops) -> {
            ChannelStatistics s = stats.get(layer.name());
            if (s != null) {
                s.add(Tensors.floats(tops.get(0)), plane(tops.get(0)));
            }
        }, progress);
        return stats;
    }

    /** Axis 1 of an N x C x ... output; 1 for a rank-1 one. */
    private static int channels(INDArray top) {
        return top.rank() < 2 ? 1 : (int) top.size(1);
    }

    /** Values per channel and image. */
    private static int plane(INDArray top) {
        long plane = 1;
        for (int d = 2; d < top.rank(); d++) {
            plane *= top.size(d);
        }
        return Math.toIntExact(plane);
    }

    private void run(List<ImageSet.Entry> images, LayerObserver observer, IntConsumer progress) {
        run(images, (index, image) -> {
        }, observer, progress);
    }

    /** Every image through the engine in batches; {@code decoded} sees each picture as it was decoded. */
    private void run(List<ImageSet.Entry> images, Batches.Decoded decoded, LayerObserver observer,
                     IntConsumer progress) {
        Batches.run(images, transformer, batchSize, decoded, (batch, n, first) -> engine.forward(batch, n, observer),
                progress);
    }
}
