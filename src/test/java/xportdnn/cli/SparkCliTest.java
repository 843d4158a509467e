package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --spark local[2]} gives what one machine gives: the same prototxt and saved statistics, byte for byte,
 * and the same validation scores. Each run cuts the images into several batches over two partitions, so the
 * driver's merge of the tasks' results is what is tested. {@link SparkClusterTest} does the same on a standalone
 * cluster of separate JVMs.
 */
class SparkCliTest {

    static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    static final String IMAGES = "examples/tinynet/images";
    static final String VAL = "examples/tinynet/val.txt";

    @TempDir
    Path dir;

    /** An export of 16 calibration images in batches of 3 (the last one short), with or without --spark. */
    static List<String> export(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", out.resolve("q.prototxt").toString(), "--bitwidths", "8,8,8",
                "--calibration_directory", IMAGES, "--calibration_size", "16", "--batch", "3", "--mean_value",
                "128,128,128", "--save_statistics", out.resolve("q.stats").toString(), "--quiet"));
        args.addAll(List.of(more));
        return args;
    }

    /** A validation of the 60 labelled images in batches of 7, with or without --spark. */
    static List<String> validate(Path quantized, Path json, String... more) {
        List<String> args = new ArrayList<>(List.of("validate", "--deploy_model", quantized.toString(), "--weights",
                WEIGHTS, "--images", VAL, "--batch", "7", "--json", json.toString(), "--quiet"));
        args.addAll(List.of(more));
        return args;
    }

    static CliRun ok(List<String> args) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        return run;
    }

    /** Export and validation on one machine and on {@code master}: the same bytes out. */
    static void sameAsOneMachine(Path dir, String master) throws Exception {
        Path here = Files.createDirectories(dir.resolve("here"));
        Path spark = Files.createDirectories(dir.resolve("spark"));
        CliRun plain = ok(export(here));
        CliRun distributed = ok(export(spark, "--spark", master));
        assertEquals(plain.stdout().replace(here.toString(), ""), distributed.stdout().replace(spark.toString(), ""));
        assertArrayEquals(Files.readAllBytes(here.resolve("q.prototxt")), Files.readAllBytes(spark.resolve("q.prototxt")));
        assertArrayEquals(Files.readAllBytes(here.resolve("q.stats")), Files.readAllBytes(spark.resolve("q.stats")));

        Path quantized = here.resolve("q.prototxt");
        CliRun scored = ok(validate(quantized, here.resolve("v.json")));
        CliRun scoredOnSpark = ok(validate(quantized, spark.resolve("v.json"), "--spark", master));
        assertEquals(scored.stdout(), scoredOnSpark.stdout());
        String json = Files.readString(here.resolve("v.json"));
        assertTrue(json.contains("\"images\": 60"), json);
        assertTrue(json.contains("sqnr_db"), json);
        assertEquals(json, Files.readString(spark.resolve("v.json")));
    }

    @Test
    void local2GivesTheSamePrototxtStatisticsAndScores() throws Exception {
        sameAsOneMachine(dir, "local[2]");
    }

    /**
     * A task lost after its work (the test hook of xportdnn.spark.InjectedFailure: the first attempt of partition
     * 1's tasks throws) is retried on {@code local[2,2]} (two attempts per task) and counted once: the same bytes
     * as one machine. Without retries ({@code local[2]}) the same hook fails the job, so it does fire.
     */
    @Test
    void aLostTaskIsRetriedAndCountedOnce() throws Exception {
        System.setProperty("xportdnn.spark.failFirstAttemptOf", "1");
        try {
            CliRun unretried = CliRun.of(export(Files.createDirectories(dir.resolve("once")), "--spark", "local[2]")
                    .toArray(String[]::new));
            assertEquals(2, unretried.status(), unretried.stderr());
            assertTrue(unretried.stderr().contains("injected failure of partition 1's first attempt"),
                    unretried.stderr());
            sameAsOneMachine(dir, "local[2,2]");
        } finally {
            System.clearProperty("xportdnn.spark.failFirstAttemptOf");
        }
    }

    /**
     * The images as {@code file://} URIs, listed and read through Hadoop's file system API (as hdfs:// or s3a://
     * would be): the same prototxt, statistics and scores as the plain paths without Spark.
     */
    @Test
    void fileUrisAreListedAndReadThroughHadoop() throws Exception {
        Path here = Files.createDirectories(dir.resolve("here"));
        Path spark = Files.createDirectories(dir.resolve("spark"));
        ok(export(here));
        List<String> args = new ArrayList<>(export(spark, "--spark", "local[2]"));
        args.set(args.indexOf(IMAGES), Path.of(IMAGES).toAbsolutePath().toUri().toString());
        ok(args);
        assertArrayEquals(Files.readAllBytes(here.resolve("q.prototxt")), Files.readAllBytes(spark.resolve("q.prototxt")));
        assertArrayEquals(Files.readAllBytes(here.resolve("q.stats")), Files.readAllBytes(spark.resolve("q.stats")));

        Path quantized = here.resolve("q.prototxt");
        CliRun scored = ok(validate(quantized, here.resolve("v.json")));
        List<String> uri = new ArrayList<>(validate(quantized, spark.resolve("v.json"), "--spark", "local[2]"));
        uri.set(uri.indexOf(VAL), Path.of(VAL).toAbsolutePath().toUri().toString());
        assertEquals(scored.stdout(), ok(uri).stdout());
        assertEquals(Files.readString(here.resolve("v.json")), Files.readString(spark.resolve("v.json")));
    }

    @Test
    void aUriWithoutSparkIsRefused() {
        CliRun run = CliRun.of(export(dir).stream().map(a -> a.equals(IMAGES) ? "hdfs://namenode/images" : a)
                .toArray(String[]::new));
        assertEquals(2, run.status(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: hdfs://namenode/images: a URI;"), run.stderr());
    }

    @Test
    void anUnreadableImageFailsTheJobNamingIt() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        try (var files = Files.list(Path.of(IMAGES))) {
            for (Path f : files.sorted().limit(5).toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        Path bad = Files.writeString(images.resolve("broken.png"), "not a PNG");
        List<String> args = new ArrayList<>(export(dir));
        args.set(args.indexOf(IMAGES), images.toString());
        args.addAll(List.of("--spark", "local[2]"));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        // read through Hadoop: named by its qualified location
        assertTrue(run.stderr().startsWith("xportdnn: error: file:" + bad.toAbsolutePath() + ": "), run.stderr());
        assertFalse(Files.exists(dir.resolve("q.prototxt")));
    }

    /**
     * compare: the calibration passes and every scheme's scoring as Spark jobs, the same table and JSON as one
     * machine; aciq:4 and bfp:8 are simulated in schemes the caller chooses (shipped to the executors with the job),
     * bfp:8 after the per-channel calibration passes, also Spark jobs.
     */
    @Test
    void compareOnLocal2GivesTheSameTable() throws Exception {
        List<String> args = List.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images", VAL,
                "--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--batch", "3", "--schemes",
                "xilinx:8,aciq:4,bfp:8", "--quiet", "--json");
        CliRun plain = ok(join(args, dir.resolve("here.json").toString()));
        CliRun spark = ok(join(args, dir.resolve("spark.json").toString(), "--spark", "local[2]"));
        assertTrue(plain.stdout().startsWith("tinynet: 60 images scored, calibrated on 8"), plain.stdout());
        assertEquals(plain.stdout(), spark.stdout());
        assertEquals(Files.readString(dir.resolve("here.json")), Files.readString(dir.resolve("spark.json")));
    }

    private static List<String> join(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void layerCostIsRefusedWithSpark() {
        CliRun run = CliRun.of(validate(Path.of("q.prototxt"), dir.resolve("v.json"), "--layer_cost", "--spark",
                "local[1]").toArray(String[]::new));
        assertEquals(2, run.status(), run.stderr());
        assertTrue(run.stderr().contains("--layer_cost does not apply with --spark"), run.stderr());
    }
}
