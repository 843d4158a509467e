package xportdnn.calib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import xportdnn.model.ModelException;

/**
 * Merges saved statistics exactly, or refuses. Ranges of disjoint image sets merge (counts add, extremes take
 * min/max, sums add). Histograms merge only when laid out on the same ranges: their bins' edges are numpy's float32
 * edges over [0, max |x|] and the KL-J bin count follows the whole run's count and min |x|, so histograms of two
 * runs' own ranges cannot be re-binned onto their union's exactly. Shards therefore lay their histograms out on
 * the merged ranges of every shard's first pass, and those merge.
 */
public final class StatisticsMerge {

    private StatisticsMerge() {
    }

    /**
     * Per layer, the range over the union of the files' first-pass images (files with the same first-pass images
     * count once), and those images.
     */
    public record Ranges(List<String> images, Map<String, ActivationRange> layers) {
    }

    public static Ranges ranges(List<SavedStatistics> files) {
        Map<Set<String>, SavedStatistics> groups = new LinkedHashMap<>();
        for (SavedStatistics f : files) {
            SavedStatistics same = groups.putIfAbsent(new TreeSet<>(f.rangeImages()), f);
            if (same != null) {
                sameRanges(same, f);
            }
        }
        List<SavedStatistics> distinct = List.copyOf(groups.values());
        disjoint(distinct, SavedStatistics::rangeImages, "their first passes share");
        List<String> images = new ArrayList<>();
        Map<String, ActivationRange> layers = new LinkedHashMap<>();
        for (SavedStatistics f : distinct) {
            images.addAll(f.rangeImages());
            f.layers().forEach((name, h) -> layers.computeIfAbsent(name, k -> new ActivationRange()).merge(h.range()));
        }
        return new Ranges(images, layers);
    }

    /**
     * The files' histograms merged: they must be laid out on the same first pass and count disjoint images.
     *
     * @throws ModelException naming the files when they cannot merge exactly, and how to make them
     */
    public static Map<String, BlobHistograms> histograms(List<SavedStatistics> files) {
        SavedStatistics first = files.get(0);
        for (SavedStatistics f : files.subList(1, files.size())) {
            if (!new TreeSet<>(f.rangeImages()).equals(new TreeSet<>(first.rangeImages()))) {
                throw new ModelException(first.source() + ", " + f.source() + ": histograms laid out on different "
                        + "images' ranges cannot merge exactly; lay each shard's out on the merged ranges first "
                        + "(--load_statistics with every shard's file, --calibration_directory with the shard's images "
                        + "and --save_statistics)");
            }
            sameRanges(first, f);
        }
        disjoint(files, SavedStatistics::images, "both count");
        Map<String, BlobHistograms> merged = new LinkedHashMap<>();
        for (SavedStatistics f : files) {
            f.layers().forEach((name, h) -> {
                BlobHistograms into = merged.get(name);
                if (into == null) {
                    merged.put(name, BlobHistograms.of(h.range(), h.sqrtRule(), h.fine(), h.sumAbsDeviation()));
                } else {
                    into.merge(h);
                }
            });
        }
        return merged;
    }

    /** The images the files' histograms count, in the files' order. */
    public static List<String> images(List<SavedStatistics> files) {
        List<String> images = new ArrayList<>();
        files.forEach(f -> images.addAll(f.images()));
        return images;
    }

    private static void sameRanges(SavedStatistics a, SavedStatistics b) {
        if (!a.layers().keySet().equals(b.layers().keySet())) {
            throw new ModelException(a.source() + ", " + b.source() + ": statistics of different layers");
        }
        a.layers().forEach((name, h) -> {
            if (!h.range().sameAs(b.layers().get(name).range())) {
                throw new ModelException(a.source() + ", " + b.source() + ": the same images but different ranges "
                        + "for layer '" + name + "' (not from the same first pass)");
            }
        });
    }

    private static void disjoint(List<SavedStatistics> files,
                                 Function<SavedStatistics, List<String>> images, String what) {
        Map<String, String> owner = new HashMap<>();
        for (SavedStatistics f : files) {
            for (String image : images.apply(f)) {
                String other = owner.putIfAbsent(image, f.source());
                if (other != null) {
                    throw new ModelException(other + ", " + f.source() + ": " + what + " image '" + image
                            + "'; statistics of overlapping image sets cannot merge (each image would count twice)");
                }
            }
        }
    }
}
