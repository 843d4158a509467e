package xportdnn.pipeline;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.ToNumberPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Preprocessing;
import xportdnn.data.PreprocessingFlags;
import xportdnn.export.Json;
import xportdnn.model.FileDigest;
import xportdnn.model.IoErrors;
import xportdnn.model.ToolVersion;

/**
 * What an export did, written beside its output prototxt as {@code <prototxt>.xportdnn.json} so that the
 * preprocessing travels with the model: {@code validate} and {@code infer} (and any later reader) take the
 * export's preprocessing from it. It also records the calibration set, the method and formats, the tool version and
 * every input file with its SHA-256. {@code prototxtSha256} ties it to the one prototxt it describes: a sidecar
 * beside a prototxt with another digest is not that prototxt's.
 *
 * @param format               always {@link #FORMAT}
 * @param tool                 the tool and version that wrote it
 * @param written              when (UTC, ISO 8601)
 * @param prototxt             the quantized prototxt as written, with its digest
 * @param quantizedWeights     the folded or tuned caffemodel, or null when none was written
 * @param quantType            Xilinx or DynamicFixed
 * @param bitwidths            input, weights, output bits
 * @param flBitwidths          DynamicFixed: "IN,PARAMS,OUT" or "auto"; null in Xilinx mode
 * @param thresholdMethod      Xilinx: the threshold method; null in DynamicFixed mode
 * @param fuseBn               whether BatchNorm/Scale were folded into the convolutions
 * @param fastFinetune         whether the weights were tuned
 * @param equalize             whether the weights were equalized across layers
 * @param inputs               the files the export read, each with its flag and digest
 * @param preprocessing        the preprocessing the export applied to its images, or null when it read none
 * @param calibration          the calibration images, or null when it read none
 */
public record Sidecar(String format, String tool, String written, DigestedFile prototxt,
                      DigestedFile quantizedWeights, String quantType, int[] bitwidths, String flBitwidths,
                      String thresholdMethod, boolean fuseBn, boolean fastFinetune, boolean equalize,
                      List<DigestedFile> inputs,
                      RecordedPreprocessing preprocessing, CalibrationSet calibration) {

    public static final String FORMAT = "xportdnn-sidecar-1";
    public static final String SUFFIX = ".xportdnn.json";

    // integers read back as Long (the default, Double, wrote the seed 20181017 as 2.0181017E7 and rounded seeds
    // above 2^53); only untyped values, the Map toJson goes through, are affected
    private static final Gson GSON = new GsonBuilder().serializeNulls()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

    /**
     * A file and its SHA-256.
     *
     * @param flag the flag that named it (for inputs), or null
     * @param path its path, absolute
     */
    public record DigestedFile(String flag, String path, String sha256) {

        static DigestedFile of(String flag, Path file) {
            return new DigestedFile(flag, file.toAbsolutePath().normalize().toString(), FileDigest.of(file));
        }
    }

    /**
     * The preprocessing as the export resolved it for the net (defaults filled in), in the flags' terms.
     *
     * @param meanValue per-channel mean, or null
     * @param meanFile  per-pixel mean file with its digest, or null
     * @param resize    how an image of another size is brought to H x W
     */
    public record RecordedPreprocessing(int[] dims, int[] transpose, int[] channelSwap, float rawScale,
                                        float[] meanValue, DigestedFile meanFile, float inputScale, String resize) {

        static RecordedPreprocessing of(Preprocessing p, Path meanFile) {
            return new RecordedPreprocessing(p.dims(), p.transpose(), p.channelSwap(), p.rawScale(),
                    p.meanValues(), meanFile == null ? null : DigestedFile.of("--mean_file", meanFile),
                    p.inputScale(), "bilinear to H x W when the image differs (caffe.io.resize_image, skimage "
                            + "order 1, no anti-aliasing)");
        }

        /** As flags, every one given. */
        public PreprocessingFlags flags() {
            return new PreprocessingFlags(dims, transpose, channelSwap, rawScale, meanValue,
                    meanFile == null ? null : Path.of(meanFile.path()), inputScale);
        }
    }

    /**
     * The calibration images.
     *
     * @param images       the set (folder, list or IDX file)
     * @param count        how many images were used
     * @param size         the draw's size ({@code --calibration_size}), or null with indices
     * @param seed         the draw's seed, or null with indices
     * @param indices      the images given by index, or null for a draw
     * @param namesSha256  SHA-256 of the used images' names, one per line in order, each line ending in '\n'
     */
    public record CalibrationSet(String images, int count, Integer size, Long seed, int[] indices,
                                 String namesSha256) {

        static CalibrationSet of(CalibrationSettings settings, List<ImageSet.Entry> used) {
            StringBuilder names = new StringBuilder();
            used.forEach(e -> names.append(e.name()).append('\n'));
            boolean drawn = settings.indices() == null;
            return new CalibrationSet(ImageStore.canonical(settings.images()), used.size(),
                    drawn ? settings.size() : null, drawn ? settings.seed() : null, settings.indices(),
                    FileDigest.ofText(names.toString()));
        }
    }

    /** The sidecar's path beside {@code prototxt}. */
    public static Path beside(Path prototxt) {
        return prototxt.resolveSibling(prototxt.getFileName() + SUFFIX);
    }

    /**
     * The record of an export that writes {@code prototxtText} (and {@code weightsBytes}, or null) with
     * {@code settings}, having read {@code calibration} (null when it read no images) and quantized for images
     * preprocessed as {@code preprocessing} (null when nothing says how: a DynamicFixed export with one Q.F).
     */
    static Sidecar of(ExportSettings settings, byte[] prototxtBytes, byte[] weightsBytes,
                      CalibrationInput calibration, Preprocessing preprocessing) {
        List<DigestedFile> inputs = new ArrayList<>();
        inputs.add(DigestedFile.of("--deploy_model", settings.deployModel()));
        inputs.add(DigestedFile.of("--weights", settings.weights()));
        RecordedPreprocessing recorded = null;
        if (preprocessing != null) {
            Path meanFile = settings.preprocessing().meanFile();
            recorded = RecordedPreprocessing.of(preprocessing, meanFile);
            if (meanFile != null) {
                inputs.add(recorded.meanFile());
            }
        }
        CalibrationSet set = calibration == null ? null : CalibrationSet.of(settings.calibration(), calibration.images());
        boolean xilinx = settings.quantType() == QuantType.Xilinx;
        var fl = settings.fractionalLengths();
        return new Sidecar(FORMAT, ToolVersion.TEXT, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                written(settings.quantizedDeployModel(), prototxtBytes),
                weightsBytes == null ? null : written(settings.quantizedWeights(), weightsBytes),
                settings.quantType().name(),
                new int[] {settings.bitwidths().in(), settings.bitwidths().params(), settings.bitwidths().out()},
                xilinx ? null : fl == null ? "auto" : fl.in() + "," + fl.params() + "," + fl.out(),
                xilinx ? settings.thresholdMethod().name() : null, settings.folds(), settings.fastFinetune(),
                settings.equalize(), inputs, recorded, set);
    }

    private static DigestedFile written(Path file, byte[] bytes) {
        return new DigestedFile(null, file.toAbsolutePath().normalize().toString(), FileDigest.of(bytes));
    }

    /** The JSON text, with lists of numbers on one line. */
    public String toJson() {
        return Json.print(GSON.fromJson(GSON.toJson(this), Map.class));
    }

    /**
     * What was found beside a prototxt: a sidecar that is its own, none, or one that cannot be used and why. Read
     * once ({@link #find}) and handed to each use of it.
     *
     * @param prototxt the prototxt it was looked for beside
     * @param file     the sidecar's path
     */
    public record Lookup(Path prototxt, Path file, Sidecar sidecar, String problem) {

        /** No sidecar, as when there is none: what {@code --no_sidecar} makes of the one beside {@code prototxt}. */
        public static Lookup none(Path prototxt) {
            return new Lookup(prototxt, beside(prototxt), null, null);
        }

        public boolean found() {
            return sidecar != null;
        }
    }

    /** Reads the sidecar beside {@code prototxt} and checks that it describes that very file. */
    public static Lookup find(Path prototxt) {
        Path file = beside(prototxt);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return Lookup.none(prototxt);
        } catch (IOException e) {
            return new Lookup(prototxt, file, null, "cannot be read: " + IoErrors.describe(e));
        }
        Sidecar sidecar;
        try {
            sidecar = GSON.fromJson(text, Sidecar.class);
        } catch (RuntimeException e) { // Gson's parse errors, and its type errors on a field of the wrong kind
            return new Lookup(prototxt, file, null, "is not valid sidecar JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (sidecar == null || !FORMAT.equals(sidecar.format()) || sidecar.prototxt() == null
                || sidecar.prototxt().sha256() == null) {
            return new Lookup(prototxt, file, null, "is not an xportdnn sidecar (no \"format\": \"" + FORMAT
                    + "\" with the prototxt's digest)");
        }
        RecordedPreprocessing recorded = sidecar.preprocessing();
        if (recorded != null && recorded.meanFile() != null && !isPath(recorded.meanFile().path())) {
            return new Lookup(prototxt, file, null, "names a mean file that is not a file path ("
                    + recorded.meanFile().path().replace("\0", "\\0") + ")");
        }
        if (!sidecar.prototxt().sha256().equals(FileDigest.of(prototxt))) {
            return new Lookup(prototxt, file, null, "was written for another prototxt (its SHA-256 differs from "
                    + prototxt + "'s: the prototxt was changed after the export, or the sidecar belongs to another "
                    + "one)");
        }
        return new Lookup(prototxt, file, sidecar, null);
    }

    /** Whether {@code path} can name a file here (java.nio refuses a NUL character, for one). */
    private static boolean isPath(String path) {
        if (path == null) {
            return false;
        }
        try {
            Path.of(path);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static String firstLine(String message) {
        String m = message == null ? "unreadable" : message.replaceFirst("^([\\w.]+Exception: )+", "");
        int end = m.indexOf('\n');
        return end < 0 ? m : m.substring(0, end);
    }
}
