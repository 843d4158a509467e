package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.List;
import xportdnn.data.PreprocessingFlags;

/**
 * The calibration cache: where the statistics are saved and which saved ones are loaded.
 *
 * @param load          saved statistics to merge instead of calibrating (or, with calibration images, whose
 *                      ranges lay out a second pass on them); empty for none
 * @param save          where this run's statistics go, or null
 * @param preprocessing the preprocessing flags of a run that loads without calibration images: they must be the
 *                      ones the statistics were saved with
 */
public record StatisticsSettings(List<Path> load, Path save, PreprocessingFlags preprocessing) {

    public StatisticsSettings {
        load = load == null ? List.of() : List.copyOf(load);
        preprocessing = preprocessing == null ? PreprocessingFlags.defaults() : preprocessing;
    }

    /** No cache. */
    public static final StatisticsSettings NONE = new StatisticsSettings(List.of(), null, null);

    public boolean loads() {
        return !load.isEmpty();
    }
}
