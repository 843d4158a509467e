package xportdnn.pipeline;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import xportdnn.calib.SavedStatistics;
import xportdnn.calib.StatisticsFile;
import xportdnn.calib.StatisticsOrigin;
import xportdnn.data.Preprocessing;
import xportdnn.model.FileDigest;
import xportdnn.model.ModelException;

/**
 * The calibration cache's link to a run: what the run's statistics depend on, reading saved ones that must match
 * it, and the bytes of this run's.
 */
final class StatisticsCache {

    /** The version written into saved statistics. */
    static final String TOOL_VERSION = "xportdnn 0.1.0";

    private StatisticsCache() {
    }

    /**
     * What the run's statistics depend on: its net files, whether it folds, the weights it equalized (when it
     * does), its resolved preprocessing.
     */
    static StatisticsOrigin origin(ExportSettings settings, LoadedNet loaded, Preprocessing preprocessing) {
        MessageDigest digest = FileDigest.sha256();
        for (Path file : List.of(settings.deployModel(), settings.weights())) {
            FileDigest.update(digest, file);
        }
        return new StatisticsOrigin(settings.deployModel().getFileName() + " + " + settings.weights().getFileName(),
                HexFormat.of().formatHex(digest.digest()), settings.folds(), loaded.equalized() == null ? ""
                : FileDigest.of(loaded.equalized().caffemodel().toByteArray()), describe(preprocessing));
    }

    /** The preprocessing flag by flag, as the command line spells them. */
    static Map<String, String> describe(Preprocessing p) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("--dims", Preprocessing.list(p.dims()));
        flags.put("--transpose", Preprocessing.list(p.transpose()));
        flags.put("--channel_swap", Preprocessing.list(p.channelSwap()));
        flags.put("--raw_scale", Float.toString(p.rawScale()));
        if (p.meanValues() != null) {
            flags.put("--mean_value", IntStream.range(0, p.meanValues().length)
                    .mapToObj(i -> Float.toString(p.meanValues()[i])).collect(Collectors.joining(",")));
        }
        if (p.meanArray() != null) {
            float[] mean = p.meanArray().data();
            byte[] bytes = new byte[4 * mean.length];
            ByteBuffer.wrap(bytes).asFloatBuffer().put(mean);
            flags.put("--mean_file", "a mean of sha-256 " + FileDigest.of(bytes)
                    .substring(0, 16));
        }
        flags.put("--input_scale", Float.toString(p.inputScale()));
        return flags;
    }

    /** The saved statistics, each checked against the run's origin. */
    static List<SavedStatistics> read(List<Path> files, StatisticsOrigin run) {
        List<SavedStatistics> saved = new ArrayList<>();
        for (Path file : files) {
            SavedStatistics s = StatisticsFile.read(file);
            String differs = s.origin().differenceFrom(run);
            if (differs != null) {
                throw new ModelException("--load_statistics " + file + ": " + differs);
            }
            saved.add(s);
        }
        return saved;
    }

    static byte[] encode(Calibration calibration, StatisticsOrigin origin) {
        return StatisticsFile.encode(new SavedStatistics("", TOOL_VERSION, origin, calibration.rangeImages(),
                calibration.imageNames(), calibration.statistics()));
    }
}
