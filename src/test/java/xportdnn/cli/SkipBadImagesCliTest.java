package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --skip_bad_images on the example's 60 labelled images plus a file that does not decode and a list line naming a
 * missing file: with the flag every command's results are those of the 60 alone, and the two are named and counted;
 * without it the run stops naming the bad file; all bad is still an error.
 */
class SkipBadImagesCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String MEAN = "128,128,128";

    @TempDir
    Path dir;

    private Path good;
    private Path bad;

    /** good.txt: the example's val.txt; bad.txt: the same, then a corrupt JPEG and a missing file. */
    @BeforeEach
    void sets() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        try (Stream<Path> files = Files.list(Path.of("examples/tinynet/images"))) {
            for (Path f : files.toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        // the first 300 bytes of a valid JPEG: the header reads, the data ends early
        byte[] jpeg = Files.readAllBytes(Path.of("testdata/images/progressive.jpg"));
        Files.write(images.resolve("red_99.jpg"), Arrays.copyOf(jpeg, 300));
        List<String> lines = Files.readAllLines(Path.of("examples/tinynet/val.txt"));
        good = Files.write(dir.resolve("good.txt"), lines);
        List<String> withBad = new ArrayList<>(lines);
        withBad.add("images/red_99.jpg 0");
        withBad.add("images/gone.png 1");
        bad = Files.write(dir.resolve("bad.txt"), withBad);
    }

    private static CliRun run(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    /** The two bad images named in a warning each, then counted. */
    private static void assertSkippedBoth(CliRun run) {
        List<String> warnings = run.stderr().lines().filter(l -> l.startsWith("xportdnn: warning: skipped")).toList();
        assertEquals(3, warnings.size(), run.stderr());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("red_99.jpg: cannot decode image")), run.stderr());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("bad.txt:62:1: images/gone.png: no such file")),
                run.stderr());
        assertTrue(run.stderr().contains("xportdnn: warning: skipped 2 bad images (--skip_bad_images)"), run.stderr());
    }

    private static void assertOneErrorNaming(CliRun run, String words) {
        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.stderr());
        List<String> errors = run.stderr().lines().filter(l -> l.startsWith("xportdnn: error: ")).toList();
        assertEquals(1, errors.size(), run.stderr());
        assertTrue(errors.get(0).contains(words), words + " in " + run.stderr());
        assertFalse(run.stderr().contains("\tat "), run.stderr());
    }

    private List<String> export(Path images, Path out) {
        return List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--calibration_directory", images.toString(),
                "--calibration_size", "100", "--bitwidths", "8,8,8", "--mean_value", MEAN, "-q",
                "--quantized_deploy_model", out.toString(), "--report", out + ".json");
    }

    @Test
    void exportCalibratesOnTheGoodImagesAlone() throws IOException {
        Path reference = dir.resolve("good.prototxt");
        assertEquals(0, run(export(good, reference)).status());
        Path skipped = dir.resolve("skipped.prototxt");
        CliRun run = run(with(export(bad, skipped), "--skip_bad_images"));
        assertEquals(0, run.status(), run.stderr());
        assertSkippedBoth(run);
        assertTrue((run.stdout() + run.stderr()).contains("calibrated on 60 images"), run.stdout());
        assertEquals(Files.readString(reference), Files.readString(skipped));
        String report = Files.readString(Path.of(skipped + ".json"));
        assertTrue(report.contains("\"skipped_images\": [") && report.contains("red_99.jpg")
                && report.contains("gone.png"), report);
        assertFalse(Files.readString(Path.of(reference + ".json")).contains("skipped_images"));
    }

    @Test
    void withoutTheFlagTheErrorNamesTheFile() throws IOException {
        Path out = dir.resolve("q.prototxt");
        assertOneErrorNaming(run(export(bad, out)), "bad.txt:62:1: images/gone.png: no such file");
        Files.write(bad, Files.readAllLines(bad).subList(0, 61)); // the corrupt JPEG last
        assertOneErrorNaming(run(export(bad, out)), "red_99.jpg: cannot decode image");
        assertFalse(Files.exists(out));
    }

    @Test
    void everyImageBadIsStillAnError() throws IOException {
        Path allBad = Files.write(dir.resolve("all_bad.txt"), List.of("images/red_99.jpg 0", "images/gone.png 1"));
        Path out = dir.resolve("q.prototxt");
        assertOneErrorNaming(run(with(export(allBad, out), "--skip_bad_images")),
                "--skip_bad_images: none of the 2 images can be read");
        assertFalse(Files.exists(out));
    }

    @Test
    void validateScoresTheGoodImagesAndCountsTheBad() throws IOException {
        Path q = dir.resolve("q.prototxt");
        assertEquals(0, run(export(good, q)).status());
        List<String> validate = List.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "-q");
        CliRun reference = run(with(validate, "--images", good.toString(), "--json", dir.resolve("g.json").toString()));
        assertEquals(0, reference.status(), reference.stderr());
        CliRun skipping = run(with(validate, "--images", bad.toString(), "--skip_bad_images", "--json",
                dir.resolve("b.json").toString()));
        assertEquals(0, skipping.status(), skipping.stderr());
        assertSkippedBoth(skipping);
        assertEquals(reference.stdout(), skipping.stdout());
        String json = Files.readString(dir.resolve("b.json"));
        assertTrue(json.contains("\"images\": 60,"), json);
        assertTrue(json.contains("\"skipped_images\": [") && json.contains("gone.png"), json);
        assertEquals(Files.readString(dir.resolve("g.json")),
                json.replaceAll("  \"skipped_images\": \\[.*\\],\\n", ""));
        assertOneErrorNaming(run(with(validate, "--images", bad.toString())), "images/gone.png: no such file");
    }

    /**
     * With --spark the images are listed through Hadoop's file system and screened by the tasks: the same scores,
     * warnings and JSON as one machine (the skipped lines name the files by their qualified {@code file:} location).
     */
    @Test
    void validateOnSparkSkipsTheSameImages() throws IOException {
        Path q = dir.resolve("q.prototxt");
        assertEquals(0, run(export(good, q)).status());
        List<String> validate = List.of("validate", "--deploy_model", q.toString(), "--weights", WEIGHTS, "-q",
                "--images", bad.toString(), "--skip_bad_images", "--batch", "7", "--json");
        CliRun here = run(with(validate, dir.resolve("here.json").toString()));
        CliRun spark = run(with(validate, dir.resolve("spark.json").toString(), "--spark", "local[2]"));
        assertEquals(0, spark.status(), spark.stderr());
        assertSkippedBoth(spark);
        assertEquals(here.stdout(), spark.stdout());
        assertEquals(messages(here.stderr()), unqualified(messages(spark.stderr())));
        assertEquals(Files.readString(dir.resolve("here.json")),
                unqualified(Files.readString(dir.resolve("spark.json"))));
    }

    /** The calibration images screened by the Spark tasks: the prototxt, report and warnings of one machine. */
    @Test
    void exportOnSparkSkipsTheSameImages() throws IOException {
        Path here = Files.createDirectories(dir.resolve("here")).resolve("q.prototxt");
        Path spark = Files.createDirectories(dir.resolve("spark")).resolve("q.prototxt");
        CliRun plain = run(with(export(bad, here), "--skip_bad_images", "--batch", "7"));
        assertEquals(0, plain.status(), plain.stderr());
        CliRun distributed = run(with(export(bad, spark), "--skip_bad_images", "--batch", "7", "--spark",
                "local[2]"));
        assertEquals(0, distributed.status(), distributed.stderr());
        assertSkippedBoth(distributed);
        assertEquals(messages(plain.stderr()), unqualified(messages(distributed.stderr())));
        assertEquals(Files.readString(here), Files.readString(spark));
        String report = Files.readString(Path.of(here + ".json"));
        assertTrue(report.contains("\"skipped_images\": [") && report.contains("red_99.jpg"), report);
        assertEquals(report, unqualified(Files.readString(Path.of(spark + ".json"))).replace(spark.toString(),
                here.toString()));
    }

    @Test
    void everyImageBadIsStillAnErrorOnSpark() throws IOException {
        Path allBad = Files.write(dir.resolve("all_bad.txt"), List.of("images/red_99.jpg 0", "images/gone.png 1"));
        Path out = dir.resolve("q.prototxt");
        assertOneErrorNaming(run(with(export(allBad, out), "--skip_bad_images", "--spark", "local[2]")),
                "--skip_bad_images: none of the 2 images can be read");
        assertFalse(Files.exists(out));
    }

    /** The tool's own lines of {@code stderr} (not a library's log lines, e.g. an agent another test loaded). */
    private static List<String> messages(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("xportdnn: ")).toList();
    }

    /** Hadoop's qualified local locations ({@code file:/tmp/...}) as one machine names them ({@code /tmp/...}). */
    private String unqualified(String text) {
        return text.replace("file:" + dir, dir.toString());
    }

    private List<String> unqualified(List<String> lines) {
        return lines.stream().map(this::unqualified).toList();
    }

    @Test
    void inferOverAListSkipsTheBadImages() {
        List<String> infer = List.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--mean_value", MEAN,
                "-q", "--images");
        CliRun reference = run(with(infer, good.toString()));
        CliRun skipping = run(with(infer, bad.toString(), "--skip_bad_images"));
        assertEquals(0, skipping.status(), skipping.stderr());
        assertSkippedBoth(skipping);
        assertTrue(skipping.stdout().contains("60 images classified"), skipping.stdout());
        assertEquals(reference.stdout(), skipping.stdout());
    }

    @Test
    void compareScoresTheGoodImages() throws IOException {
        List<String> compare = List.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--mean_value",
                MEAN, "--schemes", "xilinx:8", "--calibration_directory", "examples/tinynet/images", "-q");
        CliRun reference = run(with(compare, "--images", good.toString()));
        assertEquals(0, reference.status(), reference.stderr());
        CliRun skipping = run(with(compare, "--images", bad.toString(), "--skip_bad_images", "--json",
                dir.resolve("b.json").toString()));
        assertEquals(0, skipping.status(), skipping.stderr());
        assertSkippedBoth(skipping);
        assertEquals(reference.stdout(), skipping.stdout());
        assertTrue(Files.readString(dir.resolve("b.json")).contains("\"skipped_images\": ["));
    }
}
