package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs the command line as a user would, capturing what it prints: {@code stdout} and {@code stderr} hold the CLI's
 * own output and messages; {@code stray} what anything else in the process wrote to System.out or System.err
 * meanwhile (a library's log; in a JVM shared with a fuzz test, the Jazzer agent's line for each class it
 * instruments), kept apart so that it cannot break the CLI's one-line contract in a test that does not ask for it.
 */
record CliRun(int status, String stdout, String stderr, String stray) {

    static CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream elsewhere = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status;
        try {
            PrintStream stray = new PrintStream(elsewhere, true, StandardCharsets.UTF_8);
            System.setOut(stray);
            System.setErr(stray);
            status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(status, out.toString(), err.toString(), elsewhere.toString(StandardCharsets.UTF_8));
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
