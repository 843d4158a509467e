package xportdnn.pipeline;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.calib.BlobHistograms;
import xportdnn.calib.CalibrationHistograms;
import xportdnn.calib.CalibrationSample;
import xportdnn.calib.ChannelStatistics;
import xportdnn.calib.PictureCounts;
import xportdnn.calib.SavedStatistics;
import xportdnn.calib.StatisticsMerge;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Progress;
import xportdnn.model.ModelException;
import xportdnn.model.Net;

/**
 * The calibration step: every layer's output statistics over the calibration images (two streamed float passes,
 * see {@link Calibrator}), or loaded from saved statistics, or the second pass alone on ranges loaded from them.
 *
 * @param statistics  per layer name, its outputs' range and histograms
 * @param rangeImages the images whose first pass gave the ranges, by name
 * @param imageNames  the images counted in the histograms (all of {@code rangeImages}, or one shard of them)
 * @param skipped     the selected images taken out as unreadable (--skip_bad_images), one line each
 * @param pictures    what the histograms' pass saw of the pictures (grey ones, the float net's top classes), or
 *                    {@link PictureCounts#NONE} when no image was decoded (statistics loaded from files)
 */
public record Calibration(Map<String, BlobHistograms> statistics, List<String> rangeImages, List<String> imageNames,
                          List<String> skipped, PictureCounts pictures) {

    public Calibration {
        rangeImages = List.copyOf(rangeImages);
        imageNames = List.copyOf(imageNames);
        skipped = List.copyOf(skipped);
    }

    /** Statistics of images none of which was skipped, none seen (e.g. loaded). */
    public Calibration(Map<String, BlobHistograms> statistics, List<String> rangeImages, List<String> imageNames) {
        this(statistics, rangeImages, imageNames, List.of(), PictureCounts.NONE);
    }

    /** How many images the histograms count. */
    public int images() {
        return imageNames.size();
    }

    /** Whether the histograms count only part of the images whose ranges they are laid out on. */
    public boolean partial() {
        return imageNames.size() < rangeImages.size();
    }

    /** Runs both passes of {@code net} over the images {@code settings} select. */
    public static Calibration run(Net net, CalibrationSettings settings, Progress progress) {
        return run(net, settings, FloatPasses.HERE, progress);
    }

    /** Both passes, run by {@code passes} (e.g. on a Spark cluster) over the images they list. */
    public static Calibration run(Net net, CalibrationSettings settings, FloatPasses passes, Progress progress) {
        return run(net, CalibrationInput.of(net, settings, passes), passes, progress);
    }

    /** Both passes over the images of {@code input}, run by {@code passes}. */
    public static Calibration run(Net net, CalibrationInput input, FloatPasses passes, Progress progress) {
        List<ImageSet.Entry> images = input.images();
        List<String> names = names(images);
        try (Progress.Step step = progress.start("calibrating (2 passes)", 2L * images.size())) {
            CalibrationHistograms measured = passes.calibrate(net, images, input.transformer(), input.batch(), step);
            return new Calibration(measured.layers(), names, names, input.skipped(), measured.pictures());
        }
    }

    /**
     * Both per-channel passes ({@link ChannelStatistics}) of the first output of each layer in {@code layers} over
     * the images of {@code input} (listed and screened once, for these passes and {@link #run}'s): for schemes with
     * a format per activation channel (compare's bfp:M).
     */
    public static Map<String, ChannelStatistics> channels(Net net, CalibrationInput input, Set<String> layers,
                                                          FloatPasses passes, Progress progress) {
        try (Progress.Step step = progress.start("calibrating per channel (2 passes)", 2L * input.images().size())) {
            return passes.channelStatistics(net, input.images(), input.transformer(), input.batch(), layers, step);
        }
    }

    /**
     * The second pass alone: histograms of the input's images laid out on the ranges merged from {@code saved}'s
     * first passes, which must have seen every one of these images (else values could fall outside the ranges).
     */
    static Calibration secondPass(Net net, CalibrationInput input, List<SavedStatistics> saved, FloatPasses passes,
                                  Progress progress) {
        StatisticsMerge.Ranges ranges = StatisticsMerge.ranges(saved);
        Set<String> ranged = new HashSet<>(ranges.images());
        List<String> names = names(input.images());
        for (String name : names) {
            if (!ranged.contains(name)) {
                throw new ModelException("--calibration_directory: image '" + name + "' is not among the "
                        + ranges.images().size() + " images whose ranges --load_statistics gives; the second pass "
                        + "can only count images of the first");
            }
        }
        try (Progress.Step step = progress.start("calibrating (second pass on loaded ranges)",
                input.images().size())) {
            CalibrationHistograms measured = passes.histograms(net, input.images(), input.transformer(),
                    input.batch(), ranges.layers(), step);
            return new Calibration(measured.layers(), ranges.images(), names, input.skipped(),
                    measured.pictures());
        }
    }

    /** The saved statistics merged, with no float pass. */
    static Calibration loaded(List<SavedStatistics> saved) {
        return new Calibration(StatisticsMerge.histograms(saved), saved.get(0).rangeImages(),
                StatisticsMerge.images(saved));
    }

    /** The images {@code settings} select in {@code store}: the given indices, else the seeded draw. */
    public static List<ImageSet.Entry> images(CalibrationSettings settings, ImageStore store) {
        return images(settings, ImageSet.open(store, settings.images(), null, settings.skipBadImages()));
    }

    /** The images {@code settings} select of {@code set}, the set they name, already opened. */
    public static List<ImageSet.Entry> images(CalibrationSettings settings, ImageSet set) {
        return CalibrationSample.select(set, settings.size(), settings.seed(), settings.indices());
    }

    private static List<String> names(List<ImageSet.Entry> images) {
        return images.stream().map(ImageSet.Entry::name).toList();
    }
}
