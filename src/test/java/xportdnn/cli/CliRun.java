package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line as a user would, capturing what it prints. */
record CliRun(int status, String stdout, String stderr) {

    static CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Asserts a refusal: exit 2 and one line on stderr, "xportdnn: error: ..." holding each of {@code words}. */
    void assertRefused(String... words) {
        assertEquals(2, status, stderr);
        assertTrue(stderr.startsWith("xportdnn: error: "), stderr);
        assertEquals(1, stderr.lines().count(), stderr);
        for (String w : words) {
            assertTrue(stderr.contains(w), w + " in " + stderr);
        }
    }
}
