package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData.Model;
import xportdnn.calib.StatisticsFile;
import xportdnn.calib.proto.StatisticsProto;
import xportdnn.model.FileDigest;

/**
 * The calibration cache: an export from saved statistics writes the same bytes as the export that calibrated, and
 * two disjoint shards' statistics, laid out on their merged first pass and loaded together, give the same prototxt
 * as calibrating on their union (the exactness of the merge). Mismatched nets, preprocessing, overlapping shards and
 * damaged files are refused in one line.
 */
class StatisticsCacheCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String IMAGES = "examples/tinynet/images";
    private static final List<String> PREPROCESSING = List.of("--mean_value", "128,128,128");

    @TempDir
    Path dir;

    private static List<String> tinynet(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", out.toString(), "--bitwidths", "8,8,8", "--quiet"));
        args.addAll(PREPROCESSING);
        args.addAll(List.of(more));
        return args;
    }

    private static CliRun ok(List<String> args) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        return run;
    }

    private static void refused(List<String> args, String... words) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.status(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: "), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        for (String w : words) {
            assertTrue(run.stderr().contains(w), w + " in " + run.stderr());
        }
    }

    private static String range(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private byte[] read(String name) throws Exception {
        return Files.readAllBytes(dir.resolve(name));
    }

    @Test
    void loadedStatisticsExportTheSameBytesForEveryMethodWithoutImages() throws Exception {
        Path stats = dir.resolve("tiny.stats");
        ok(tinynet(dir.resolve("direct.prototxt"), "--calibration_directory", IMAGES, "--calibration_size", "16",
                "--save_statistics", stats.toString()));
        CliRun loaded = ok(tinynet(dir.resolve("loaded.prototxt"), "--load_statistics", stats.toString()));
        assertArrayEquals(read("direct.prototxt"), read("loaded.prototxt"));
        assertTrue(loaded.stderr().contains("statistics of 16 images loaded from " + stats + " (no float pass)"),
                loaded.stderr());
        assertTrue(loaded.stdout().startsWith("xportdnn: calibrated on 16 images (kl-j)"), loaded.stdout());

        Path older = dir.resolve("older.stats");
        StatisticsProto.StatisticsFile file = StatisticsProto.StatisticsFile.parseFrom(Files.readAllBytes(stats));
        ByteString body = StatisticsProto.CalibrationStatistics.parseFrom(file.getBody()).toBuilder()
                .setToolVersion("xportdnn 0.0.9").build().toByteString();
        Files.write(older, file.toBuilder().setBody(body).setSha256(ByteString.copyFrom(
                FileDigest.bytes(body.toByteArray()))).build().toByteArray());
        CliRun old = ok(tinynet(dir.resolve("older.prototxt"), "--load_statistics", older.toString()));
        assertTrue(old.stderr().contains("note: " + older + " was saved by xportdnn 0.0.9, this is xportdnn 0.1.0"),
                old.stderr());
        assertArrayEquals(read("direct.prototxt"), read("older.prototxt"));

        for (String method : List.of("mse", "percentile:99.9", "aciq-laplace")) {
            ok(tinynet(dir.resolve("m.prototxt"), "--calibration_directory", IMAGES, "--calibration_size", "16",
                    "--threshold_method", method));
            ok(tinynet(dir.resolve("m_loaded.prototxt"), "--load_statistics", stats.toString(), "--threshold_method",
                    method));
            assertArrayEquals(read("m.prototxt"), read("m_loaded.prototxt"), method);
        }
    }

    /** One cache of the folded net serves DynamicFixed's per-layer formats and Xilinx thresholds alike. */
    @Test
    void oneFoldedCacheServesDynamicFixedAutoAndXilinx() throws Exception {
        Path stats = dir.resolve("folded.stats");
        List<String> dynamicFixed = List.of("--quant_type", "DynamicFixed", "--fl_bitwidths", "auto", "--fuse_bn");
        List<String> direct = new ArrayList<>(tinynet(dir.resolve("df.prototxt"), "--calibration_directory", IMAGES,
                "--quantized_weights", dir.resolve("df.caffemodel").toString(), "--save_statistics", stats.toString()));
        direct.addAll(dynamicFixed);
        ok(direct);
        List<String> loaded = new ArrayList<>(tinynet(dir.resolve("df_loaded.prototxt"), "--load_statistics",
                stats.toString(), "--quantized_weights", dir.resolve("df_loaded.caffemodel").toString()));
        loaded.addAll(dynamicFixed);
        ok(loaded);
        assertArrayEquals(read("df.prototxt"), read("df_loaded.prototxt"));
        assertArrayEquals(read("df.caffemodel"), read("df_loaded.caffemodel"));

        ok(tinynet(dir.resolve("x.prototxt"), "--calibration_directory", IMAGES, "--fuse_bn", "--quantized_weights",
                dir.resolve("x.caffemodel").toString()));
        ok(tinynet(dir.resolve("x_loaded.prototxt"), "--load_statistics", stats.toString(), "--fuse_bn",
                "--quantized_weights", dir.resolve("x_loaded.caffemodel").toString()));
        assertArrayEquals(read("x.prototxt"), read("x_loaded.prototxt"));
    }

    @Test
    void disjointShardsLaidOutOnTheirMergedRangesGiveTheUnionsPrototxt() throws Exception {
        String all = range(0, 32);
        String a = range(0, 16);
        String b = range(16, 32);
        ok(tinynet(dir.resolve("union.prototxt"), "--calibration_directory", IMAGES, "--calibration_indices", all));
        // Round 1: each shard's own two passes.
        ok(tinynet(dir.resolve("a1.prototxt"), "--calibration_directory", IMAGES, "--calibration_indices", a,
                "--save_statistics", dir.resolve("a1.stats").toString()));
        ok(tinynet(dir.resolve("b1.prototxt"), "--calibration_directory", IMAGES, "--calibration_indices", b,
                "--save_statistics", dir.resolve("b1.stats").toString()));
        String firstPasses = dir.resolve("a1.stats") + "," + dir.resolve("b1.stats");
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", firstPasses), "a1.stats", "b1.stats",
                "cannot merge exactly", "--calibration_directory");
        // Round 2: each shard's second pass on the merged ranges.
        CliRun second = ok(tinynet(dir.resolve("a2.prototxt"), "--calibration_directory", IMAGES,
                "--calibration_indices", a, "--load_statistics", firstPasses, "--save_statistics",
                dir.resolve("a2.stats").toString()));
        assertTrue(second.stderr().contains("the histograms count 16 of the 32 images"), second.stderr());
        ok(tinynet(dir.resolve("b2.prototxt"), "--calibration_directory", IMAGES, "--calibration_indices", b,
                "--load_statistics", firstPasses, "--save_statistics", dir.resolve("b2.stats").toString()));
        // Round 3: together, no float pass.
        ok(tinynet(dir.resolve("merged.prototxt"), "--load_statistics",
                dir.resolve("a2.stats") + "," + dir.resolve("b2.stats")));
        assertArrayEquals(read("union.prototxt"), read("merged.prototxt"));
        assertFalse(Arrays.equals(read("union.prototxt"), read("a1.prototxt")), "the shards alone differ");

        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics",
                dir.resolve("a2.stats") + "," + dir.resolve("a2.stats")), "overlapping", "each image would count twice");
        refused(tinynet(dir.resolve("no.prototxt"), "--calibration_directory", IMAGES, "--calibration_indices",
                range(30, 40), "--load_statistics", firstPasses), "--calibration_directory", "is not among the 32");
        assertFalse(Files.exists(dir.resolve("no.prototxt")));
    }

    @Test
    void statisticsOfAnotherNetOrPreprocessingAreRefusedNamingTheFileAndTheDifference() throws Exception {
        Path stats = dir.resolve("tiny.stats");
        ok(tinynet(dir.resolve("q.prototxt"), "--calibration_directory", IMAGES, "--calibration_size", "4",
                "--save_statistics", stats.toString()));
        List<String> swapped = tinynet(dir.resolve("no.prototxt"), "--load_statistics", stats.toString(),
                "--channel_swap", "0,1,2");
        refused(swapped, stats.toString(), "saved with --channel_swap 2,1,0, this run has 0,1,2");
        List<String> noMean = new ArrayList<>(tinynet(dir.resolve("no.prototxt"), "--load_statistics",
                stats.toString()));
        noMean.removeAll(PREPROCESSING);
        refused(noMean, stats.toString(), "--mean_value 128.0,128.0,128.0, this run has 104.0,117.0,123.0");
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", stats.toString(), "--fuse_bn",
                "--quantized_weights", dir.resolve("no.caffemodel").toString()), "folds BatchNorm/Scale");
        Model lenet = Model.LENET;
        List<String> other = new ArrayList<>(List.of("--deploy_model", lenet.prototxt().toString(), "--weights",
                lenet.caffemodel().toString(), "--quantized_deploy_model", dir.resolve("no.prototxt").toString(),
                "--load_statistics", stats.toString(), "--quiet"));
        refused(other, stats.toString(), "saved from another net (deploy.prototxt + tinynet.caffemodel)");
        assertFalse(Files.exists(dir.resolve("no.prototxt")));
    }

    @Test
    void aDamagedFileOrAFlagThatCannotActIsRefusedInOneLine() throws Exception {
        Path stats = dir.resolve("tiny.stats");
        ok(tinynet(dir.resolve("q.prototxt"), "--calibration_directory", IMAGES, "--calibration_size", "4",
                "--save_statistics", stats.toString()));
        byte[] bytes = Files.readAllBytes(stats);
        Path truncated = dir.resolve("truncated.stats");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", truncated.toString()),
                truncated.toString(), "truncated or corrupt");
        Path flipped = dir.resolve("flipped.stats");
        byte[] changed = bytes.clone();
        changed[changed.length / 2] ^= 0x10;
        Files.write(flipped, changed);
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", flipped.toString()), flipped.toString());
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", DEPLOY), DEPLOY);
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", stats + ","), "an empty file name");

        for (String flag : List.of("--calibration_size", "--calibration_seed", "--batch")) {
            refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", stats.toString(), flag, "4"),
                    flag + " does not apply with --load_statistics");
        }
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", stats.toString(), "--fast_finetune",
                "--quantized_weights", dir.resolve("no.caffemodel").toString(), "--calibration_directory", IMAGES),
                "--fast_finetune does not apply with --load_statistics");
        refused(tinynet(dir.resolve("no.prototxt"), "--load_statistics", stats.toString(), "--save_statistics",
                stats.toString()), "--save_statistics");
        assertFalse(Files.exists(dir.resolve("no.prototxt")));
    }

    /** A real model: LeNet on 24 MNIST digits, cached and loaded, and as two shards of 12. */
    @Test
    void lenetFromItsCacheAndFromTwoShardsMatchesTheDirectExport() throws Exception {
        Model lenet = Model.LENET;
        List<String> calibration = XilinxCliTest.calibration(lenet);
        List<String> preprocessing = calibration.subList(2, calibration.size());
        String images = calibration.get(1);
        List<String> base = List.of("--deploy_model", lenet.prototxt().toString(), "--weights",
                lenet.caffemodel().toString(), "--bitwidths", "6,6,6", "--quiet");
        java.util.function.BiFunction<String, List<String>, List<String>> run = (out, more) -> {
            List<String> args = new ArrayList<>(base);
            args.addAll(List.of("--quantized_deploy_model", dir.resolve(out).toString()));
            args.addAll(preprocessing);
            args.addAll(more);
            return args;
        };
        String a = range(0, 12);
        String b = range(12, 24);
        ok(run.apply("direct.prototxt", List.of("--calibration_directory", images, "--calibration_indices",
                range(0, 24), "--save_statistics", dir.resolve("all.stats").toString())));
        ok(run.apply("loaded.prototxt", List.of("--load_statistics", dir.resolve("all.stats").toString())));
        assertArrayEquals(read("direct.prototxt"), read("loaded.prototxt"));

        for (String[] shard : new String[][] {{"a", a}, {"b", b}}) {
            ok(run.apply(shard[0] + "1.prototxt", List.of("--calibration_directory", images, "--calibration_indices",
                    shard[1], "--save_statistics", dir.resolve(shard[0] + "1.stats").toString())));
        }
        String firstPasses = dir.resolve("a1.stats") + "," + dir.resolve("b1.stats");
        for (String[] shard : new String[][] {{"a", a}, {"b", b}}) {
            ok(run.apply(shard[0] + "2.prototxt", List.of("--calibration_directory", images, "--calibration_indices",
                    shard[1], "--load_statistics", firstPasses, "--save_statistics",
                    dir.resolve(shard[0] + "2.stats").toString())));
        }
        ok(run.apply("merged.prototxt", List.of("--load_statistics",
                dir.resolve("a2.stats") + "," + dir.resolve("b2.stats"))));
        assertArrayEquals(read("direct.prototxt"), read("merged.prototxt"));
    }
}
