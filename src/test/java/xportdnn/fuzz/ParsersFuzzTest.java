package xportdnn.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import xportdnn.calib.StatisticsFile;
import xportdnn.calib.proto.StatisticsProto;
import xportdnn.data.Idx;
import xportdnn.data.ImageDecoder;
import xportdnn.data.MeanFile;
import xportdnn.model.CaffemodelReader;
import xportdnn.model.FileDigest;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;

/**
 * Fuzz targets over every reader of user files. Plain {@code mvn test} runs each on its seed corpus
 * ({@code src/test/resources/xportdnn/fuzz/ParsersFuzzTestInputs/<target>/}); {@code tools/fuzz.sh} fuzzes them
 * ({@code JAZZER_FUZZ=1}). Each input is written to a file and read the way the command line reads it.
 */
class ParsersFuzzTest {

    /** Per input; generous because the machine running the tests may be busy. */
    private static final Duration LIMIT = Duration.ofSeconds(20);

    static {
        FuzzContract.warmUp();
    }

    /** The prototxt parser, V1 upgrade, phase filter and shape inference (the whole of loading a deploy net). */
    @FuzzTest(maxDuration = "24h")
    void prototxt(FuzzedDataProvider data) {
        onFile("net.prototxt", data.consumeRemainingAsBytes(), file -> NetLoader.load(file, null));
    }

    /** The caffemodel reader. */
    @FuzzTest(maxDuration = "24h")
    void caffemodel(FuzzedDataProvider data) {
        onFile("net.caffemodel", data.consumeRemainingAsBytes(), CaffemodelReader::read);
    }

    /** The image decoders (JPEG, PNG, BMP, PNM and whatever else ImageIO recognises), colour or grey. */
    @FuzzTest(maxDuration = "24h")
    void image(FuzzedDataProvider data) {
        boolean color = data.consumeBoolean();
        onFile("image", data.consumeRemainingAsBytes(), file -> ImageDecoder.load(file, color));
    }

    /** MNIST IDX image and label files, plain or gzipped. */
    @FuzzTest(maxDuration = "24h")
    void idx(FuzzedDataProvider data) {
        boolean labels = data.consumeBoolean();
        onFile("data.idx", data.consumeRemainingAsBytes(), file -> {
            if (labels) {
                Idx.readLabels(file);
            } else if (Idx.isImageFile(file)) {
                Idx.Images images = Idx.readImages(file);
                if (images.count() > 0) {
                    images.image(images.count() - 1, true);
                }
            } else {
                Idx.readImages(file);
            }
        });
    }

    /** NumPy .npy arrays. */
    @FuzzTest(maxDuration = "24h")
    void npy(FuzzedDataProvider data) {
        onFile("array.npy", data.consumeRemainingAsBytes(), Npy::read);
    }

    /** --mean_file: a Caffe .binaryproto or a .npy, for a 3 x 32 x 32 input (as the CIFAR-10 seeds). */
    @FuzzTest(maxDuration = "24h")
    void meanFile(FuzzedDataProvider data) {
        onFile("mean.binaryproto", data.consumeRemainingAsBytes(), file -> MeanFile.read(file, new int[] {3, 32, 32}));
    }

    /** --load_statistics: the calibration cache (a checksummed protobuf message). */
    @FuzzTest(maxDuration = "24h")
    void statistics(FuzzedDataProvider data) {
        onFile("saved.stats", data.consumeRemainingAsBytes(), StatisticsFile::read);
    }

    /** The statistics body behind a valid checksum, so that the fuzzer reaches the body's own checks. */
    @FuzzTest(maxDuration = "24h")
    void statisticsBody(FuzzedDataProvider data) {
        byte[] body = data.consumeRemainingAsBytes();
        byte[] file = StatisticsProto.StatisticsFile.newBuilder().setMagic("xportdnn calibration statistics")
                .setFormat(StatisticsFile.FORMAT).setBody(ByteString.copyFrom(body))
                .setSha256(ByteString.copyFrom(FileDigest.bytes(body))).build().toByteArray();
        onFile("saved.stats", file, StatisticsFile::read);
    }

    private interface Reader {
        void read(Path file) throws Exception;
    }

    /** One folder for all inputs of this run (a folder per input costs more than reading most inputs). */
    private static final Path SCRATCH = FuzzContract.tempDir();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> FuzzContract.deleteTree(SCRATCH)));
    }

    private static void onFile(String name, byte[] bytes, Reader reader) {
        Path file = FuzzContract.write(SCRATCH, name, bytes);
        try {
            FuzzContract.holds(LIMIT, () -> reader.read(file));
        } finally {
            file.toFile().delete();
        }
    }
}
