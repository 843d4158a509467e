package xportdnn.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.broadcast.Broadcast;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;
import xportdnn.calib.CalibrationHistograms;
import xportdnn.calib.Calibrator;
import xportdnn.calib.ChannelMaxima;
import xportdnn.calib.ChannelStatistics;
import xportdnn.calib.PictureCounts;
import xportdnn.data.Preprocessing;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.quant.KlJThreshold;

/**
 * The calibration passes as Spark tasks (run on executors) and the merge of their results (on the driver). A task
 * returns what its batches measured; nothing is accumulated on the side, so a retried task counts once. The merge
 * adds the batches' floating-point sums in the run's batch order, as one machine adds them, so the statistics are
 * the same to the bit; the histograms' counts are integers and merge in any order.
 */
final class CalibrationTasks {

    /**
     * What a task needs beside its images: the net, the preprocessing, the batch size and where it reads the
     * images (broadcast once).
     */
    record Job(ShippedNet net, Preprocessing preprocessing, int batch, HadoopImages images) implements Serializable {

        /**
         * What {@code work} measures with a calibrator on the net built on the executor; its float engine is closed
         * after, as an executor runs partition after partition in one JVM.
         */
        <T> T measure(Function<Calibrator, T> work) {
            try (FloatEngine engine = new FloatEngine(net.build())) {
                return work.apply(new Calibrator(engine, new Transformer(preprocessing), batch));
            }
        }
    }

    /** First pass: one batch's ranges. */
    record BatchRanges(int index, Map<String, ActivationRange> ranges) implements Serializable {
    }

    /**
     * Second pass: a partition's histograms merged, each of its batches' sum of |x - mean| per layer (the one
     * floating-point sum, added in batch order on the driver), and what it saw of its pictures.
     */
    record PartitionHistograms(Map<String, BlobHistograms> histograms, List<BatchDeviations> deviations,
                               PictureCounts pictures) implements Serializable {
    }

    record BatchDeviations(int index, Map<String, Double> sums) implements Serializable {
    }

    private CalibrationTasks() {
    }

    static Iterator<BatchRanges> ranges(Broadcast<Job> job, Iterator<ImageBatch> batches) {
        HadoopImages images = job.value().images();
        return job.value().measure(calibrator -> {
            List<BatchRanges> out = new ArrayList<>();
            batches.forEachRemaining(b -> out.add(new BatchRanges(b.index(),
                    calibrator.ranges(b.entries(images), n -> {
                    }))));
            return out.iterator();
        });
    }

    static Iterator<PartitionHistograms> histograms(Broadcast<Job> job, Broadcast<Map<String, ActivationRange>> ranges,
                                                    Iterator<ImageBatch> batches) {
        return job.value().measure(calibrator -> {
            Map<String, BlobHistograms> merged = null;
            List<BatchDeviations> deviations = new ArrayList<>();
            PictureCounts pictures = PictureCounts.NONE;
            while (batches.hasNext()) {
                ImageBatch b = batches.next();
                CalibrationHistograms measured = calibrator.histograms(b.entries(job.value().images()),
                        ranges.value(), KlJThreshold::binCount, n -> {
                        });
                Map<String, BlobHistograms> h = measured.layers();
                pictures = pictures.plus(measured.pictures());
                Map<String, Double> sums = new LinkedHashMap<>();
                h.forEach((name, stats) -> sums.put(name, stats.sumAbsDeviation()));
                deviations.add(new BatchDeviations(b.index(), sums));
                if (merged == null) {
                    merged = h;
                } else {
                    Map<String, BlobHistograms> into = merged;
                    h.forEach((name, stats) -> into.get(name).merge(stats));
                }
            }
            return merged == null ? Collections.<PartitionHistograms>emptyIterator()
                    : List.of(new PartitionHistograms(merged, deviations, pictures)).iterator();
        });
    }

    /** Every batch's ranges merged in batch order. */
    static Map<String, ActivationRange> mergeRanges(List<BatchRanges> batches) {
        Map<String, ActivationRange> merged = new LinkedHashMap<>();
        batches.stream().sorted(Comparator.comparingInt(BatchRanges::index)).forEach(b -> b.ranges()
                .forEach((name, r) -> merged.computeIfAbsent(name, k -> new ActivationRange()).merge(r)));
        return merged;
    }

    /** The partitions' histograms merged, each layer's sum of |x - mean| added in batch order, their pictures' counts. */
    static CalibrationHistograms mergeHistograms(Map<String, ActivationRange> ranges,
                                                 List<PartitionHistograms> partitions) {
        List<BatchDeviations> batches = partitions.stream().flatMap(p -> p.deviations().stream())
                .sorted(Comparator.comparingInt(BatchDeviations::index)).toList();
        Map<String, BlobHistograms> merged = new LinkedHashMap<>();
        ranges.forEach((name, range) -> {
            BlobHistograms counts = new BlobHistograms(range, KlJThreshold.binCount(range));
            partitions.forEach(p -> counts.merge(p.histograms().get(name)));
            double sum = 0;
            for (BatchDeviations b : batches) {
                sum += b.sums().get(name);
            }
            merged.put(name, BlobHistograms.of(range, counts.sqrtRule(), counts.fine(), sum));
        });
        return new CalibrationHistograms(merged, partitions.stream().map(PartitionHistograms::pictures)
                .reduce(PictureCounts.NONE, PictureCounts::plus));
    }

    /** First per-channel pass: a partition's channel maxima of the layers named, merged (maxima merge in any order). */
    static Iterator<Map<String, float[]>> channelMaxima(Broadcast<Job> job, Set<String> layers,
                                                        Iterator<ImageBatch> batches) {
        return job.value().measure(calibrator -> {
            List<Map<String, float[]>> out = new ArrayList<>();
            batches.forEachRemaining(b -> out.add(calibrator.channelMaxima(b.entries(job.value().images()), layers,
                    n -> {
                    })));
            return out.isEmpty() ? Collections.<Map<String, float[]>>emptyIterator()
                    : List.of(mergeMaxima(out)).iterator();
        });
    }

    /** Second per-channel pass: a partition's channel histograms on the merged maxima (counts merge in any order). */
    static Iterator<Map<String, ChannelStatistics>> channelHistograms(Broadcast<Job> job,
                                                                      Broadcast<Map<String, float[]>> maxima,
                                                                      Iterator<ImageBatch> batches) {
        return job.value().measure(calibrator -> {
            List<Map<String, ChannelStatistics>> out = new ArrayList<>();
            batches.forEachRemaining(b -> out.add(calibrator.channelHistograms(b.entries(job.value().images()),
                    maxima.value(), n -> {
                    })));
            return out.isEmpty() ? Collections.<Map<String, ChannelStatistics>>emptyIterator()
                    : List.of(mergeChannels(maxima.value(), out)).iterator();
        });
    }

    /** Channel maxima merged: per layer and channel the largest. */
    static Map<String, float[]> mergeMaxima(List<Map<String, float[]>> parts) {
        Map<String, ChannelMaxima> merged = new LinkedHashMap<>();
        for (Map<String, float[]> part : parts) {
            part.forEach((name, m) -> {
                ChannelMaxima one = new ChannelMaxima(m.length);
                one.add(m, 1);
                merged.computeIfAbsent(name, k -> new ChannelMaxima(m.length)).merge(one);
            });
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        merged.forEach((name, m) -> out.put(name, m.maxAbs()));
        return out;
    }

    /** Channel histograms laid out on {@code maxima} merged: their counts added. */
    static Map<String, ChannelStatistics> mergeChannels(Map<String, float[]> maxima,
                                                        List<Map<String, ChannelStatistics>> parts) {
        Map<String, ChannelStatistics> merged = new LinkedHashMap<>();
        maxima.forEach((name, m) -> {
            ChannelStatistics counts = new ChannelStatistics(m);
            parts.forEach(p -> counts.merge(p.get(name)));
            merged.put(name, counts);
        });
        return merged;
    }
}
