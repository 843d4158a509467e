package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors are one line in words: no exception class names, no second "Try --help" line, no stack trace. */
class ErrorWordsTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";

    @TempDir
    Path dir;

    private static CliRun failing(String... args) {
        CliRun run = CliRun.of(args);
        assertEquals(Main.EXIT_BAD_INPUT, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().startsWith("xportdnn: error: "), run.stderr());
        assertFalse(run.stderr().contains("Exception"), run.stderr());
        assertFalse(run.stderr().contains("\tat "), run.stderr());
        return run;
    }

    @Test
    void badFlagValueIsOneLine() {
        CliRun run = failing("--deploy_model", DEPLOY, "--batch", "many");
        assertTrue(run.stderr().contains("--batch") && run.stderr().contains("(see 'xportdnn --help')"), run.stderr());
        failing("infer", "--no_such_flag");
    }

    /**
     * JavaCPP's resident-memory limit (its message, as JavaCPP 1.5.7 words it, wrapped as it throws it from a
     * Pointer's constructor) is told apart from the Java heap's: more -Xmx would not help there.
     */
    @Test
    void outOfMemoryNamesTheLimitThatWasReached() {
        OutOfMemoryError physical = new OutOfMemoryError("Cannot allocate new LongPointer(2): totalBytes = 0, "
                + "physicalBytes = 303M");
        physical.initCause(new OutOfMemoryError("Physical memory usage is too high: physicalBytes (303M) > "
                + "maxPhysicalBytes (300M)"));
        String line = Main.outOfMemory(physical);
        assertTrue(line.startsWith("xportdnn: error: out of memory (Physical memory usage is too high: "
                + "physicalBytes (303M) > maxPhysicalBytes (300M))"), line);
        assertTrue(line.contains("XPORTDNN_JAVA_OPTS=-Dorg.bytedeco.javacpp.maxphysicalbytes="), line);
        assertFalse(line.contains("-Xmx"), line);
        String heap = Main.outOfMemory(new OutOfMemoryError("Java heap space"));
        assertTrue(heap.startsWith("xportdnn: error: out of memory (Java heap space); give Java more with -Xmx"),
                heap);
        assertEquals(1, line.lines().count());
    }

    /** An argument holding a line break (the CLI fuzz target's finding) is echoed with it escaped: still one line. */
    @Test
    void echoedLineBreaksStayOnOneLine() throws IOException {
        CliRun command = failing("\nxportdnn: error: erro");
        assertTrue(command.stderr().contains("unknown command '\\nxportdnn: error: erro'"), command.stderr());
        Path named = dir.resolve("two\nlines.prototxt");
        Files.writeString(named, "layer { name: ");
        CliRun file = failing("--deploy_model", named.toString(), "--weights", WEIGHTS, "--quantized_deploy_model",
                dir.resolve("q.prototxt").toString(), "--bitwidths", "8,8,8", "--calibration_directory",
                "examples/tinynet/images");
        assertTrue(file.stderr().contains("lines.prototxt:1:15"), file.stderr());
    }

    @Test
    void missingMeanFileInWords() {
        Path absent = dir.resolve("mean.npy");
        CliRun run = failing("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--image",
                "examples/tinynet/images/" + firstImage(), "--mean_file", absent.toString());
        assertTrue(run.stderr().contains(absent + ": cannot read the mean file: no such file"), run.stderr());
    }

    @Test
    void folderGivenAsPrototxt() {
        CliRun run = failing("inspect", "--deploy_model", dir.toString());
        assertTrue(run.stderr().contains(dir + ": cannot read: is a directory"), run.stderr());
    }

    @Test
    void unreadableFileInWords() throws IOException {
        Path locked = Files.writeString(dir.resolve("locked.prototxt"), "name: \"x\"\n");
        assertTrue(locked.toFile().setReadable(false));
        if (Files.isReadable(locked)) {
            return; // running as root: nothing is unreadable
        }
        CliRun run = failing("inspect", "--deploy_model", locked.toString());
        assertTrue(run.stderr().contains(locked + ": cannot read: permission denied"), run.stderr());
    }

    @Test
    void debugPrintsTheStackTrace() {
        CliRun run = CliRun.of("inspect", "--debug", "--deploy_model", dir.resolve("absent.prototxt").toString());
        assertEquals(Main.EXIT_BAD_INPUT, run.status());
        assertTrue(run.stderr().startsWith("xportdnn: error: "), run.stderr());
        assertTrue(run.stderr().contains("\tat "), run.stderr());
    }

    private static String firstImage() {
        try (var files = Files.list(Path.of("examples/tinynet/images"))) {
            return files.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
