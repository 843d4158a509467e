package xportdnn.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Preprocessing;
import xportdnn.model.FileDigest;
import xportdnn.model.ModelException;

/**
 * The preprocessing a command that reads images uses for a quantized prototxt: each flag the user gave by hand,
 * else the export's from the sidecar beside the prototxt ({@link Sidecar}). A hand-given flag that differs from the
 * export's is used, with one warning line per flag; taking the export's preprocessing is said in one note; a
 * sidecar that cannot be used (corrupt, or another prototxt's) is said in one warning line and ignored.
 */
public final class SidecarPreprocessing {

    /** The flags of {@link PreprocessingFlags}, as the user spells them. */
    public static final List<String> FLAGS = List.of("--dims", "--transpose", "--channel_swap", "--raw_scale",
            "--mean_value", "--mean_file", "--input_scale");

    /**
     * The flags to use, and what to tell the user about them.
     *
     * @param flags   the preprocessing flags
     * @param notices the note that the export's were taken, warnings on differences or an unusable sidecar
     */
    public record Applied(PreprocessingFlags flags, List<Notice> notices) {
    }

    private SidecarPreprocessing() {
    }

    /**
     * @param lookup the sidecar of the quantized prototxt
     * @param hand   the flags as given (defaults where not given)
     * @param given  which of {@link #FLAGS} the user gave
     */
    public static Applied apply(Sidecar.Lookup lookup, PreprocessingFlags hand, Set<String> given) {
        if (!lookup.found()) {
            return new Applied(hand, lookup.problem() == null ? List.of()
                    : List.of(Notice.warning(lookup.file() + " " + lookup.problem() + "; ignored it, so the "
                            + "preprocessing is the flags'")));
        }
        Sidecar.RecordedPreprocessing recorded = lookup.sidecar().preprocessing();
        if (recorded == null) { // the export read no images
            return new Applied(hand, List.of());
        }
        PreprocessingFlags export = recorded.flags();
        List<Notice> notices = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        String from = " (the export's, from " + lookup.file().getFileName() + ")";

        int[] dims = pick("--dims", hand.dims(), export.dims(), given, taken, notices, from);
        int[] transpose = pick("--transpose", hand.transpose(), export.transpose(), given, taken, notices, from);
        int[] swap = pick("--channel_swap", hand.channelSwap(), export.channelSwap(), given, taken, notices, from);
        float rawScale = pick("--raw_scale", hand.rawScale(), export.rawScale(), given, taken, notices, from);
        float inputScale = pick("--input_scale", hand.inputScale(), export.inputScale(), given, taken, notices, from);

        float[] meanValues = hand.meanValues();
        Path meanFile = hand.meanFile();
        String exportMean = describeMean(export.meanValues(), recorded.meanFile());
        if (given.contains("--mean_value") || given.contains("--mean_file")) {
            boolean same = meanFile == null ? export.meanFile() == null && Arrays.equals(meanValues,
                    export.meanValues()) : recorded.meanFile() != null && Files.isRegularFile(meanFile)
                    && FileDigest.of(meanFile).equals(recorded.meanFile().sha256());
            if (!same) {
                String flag = meanFile != null ? "--mean_file " + meanFile : "--mean_value " + floats(meanValues);
                notices.add(Notice.warning(flag + " differs from " + exportMean + from + "; using " + flag));
            }
        } else {
            meanValues = export.meanValues();
            meanFile = export.meanFile();
            if (meanFile != null) {
                checkMeanFile(recorded.meanFile(), lookup.file(), notices);
            }
            taken.add(exportMean);
        }
        if (!taken.isEmpty()) {
            notices.add(0, Notice.note("preprocessing from the export's sidecar " + lookup.file() + ": "
                    + String.join(", ", taken) + " (flags given by hand win; --no_sidecar ignores it)"));
        }
        return new Applied(new PreprocessingFlags(dims, transpose, swap, rawScale, meanValues, meanFile,
                inputScale), notices);
    }

    private static int[] pick(String flag, int[] hand, int[] export, Set<String> given, List<String> taken,
                              List<Notice> notices, String from) {
        if (!given.contains(flag)) {
            taken.add(flag.substring(2) + " " + ints(export));
            return export;
        }
        if (!Arrays.equals(hand, export)) {
            notices.add(Notice.warning(flag + " " + ints(hand) + " differs from " + ints(export) + from
                    + "; using " + ints(hand)));
        }
        return hand;
    }

    private static float pick(String flag, float hand, float export, Set<String> given, List<String> taken,
                              List<Notice> notices, String from) {
        if (!given.contains(flag)) {
            taken.add(flag.substring(2) + " " + number(export));
            return export;
        }
        if (Float.compare(hand, export) != 0) {
            notices.add(Notice.warning(flag + " " + number(hand) + " differs from " + number(export) + from
                    + "; using " + number(hand)));
        }
        return hand;
    }

    /** The recorded mean file must still be there; a changed one is used with a warning. */
    private static void checkMeanFile(Sidecar.DigestedFile recorded, Path sidecar, List<Notice> notices) {
        Path file = Path.of(recorded.path());
        if (!Files.isRegularFile(file)) {
            throw new ModelException(sidecar + ": the export's mean file " + file + " is gone; give --mean_file "
                    + "(or --no_sidecar and the flags)");
        }
        if (!FileDigest.of(file).equals(recorded.sha256())) {
            notices.add(Notice.warning("the export's mean file " + file + " changed since the export (its SHA-256 "
                    + "differs from " + sidecar.getFileName() + "'s); using it as it is now"));
        }
    }

    private static String describeMean(float[] values, Sidecar.DigestedFile file) {
        return file != null ? "mean_file " + file.path() : values != null ? "mean_value " + floats(values)
                : "no mean";
    }

    private static String ints(int[] values) {
        return values == null ? "(default)" : Preprocessing.list(values);
    }

    private static String floats(float[] values) {
        return IntStream.range(0, values.length).mapToObj(i -> number(values[i])).collect(Collectors.joining(","));
    }

    private static String number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e7 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
