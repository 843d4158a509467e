package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress bar on a real terminal, a pseudo-terminal that util-linux's {@code script} opens: drawn when stderr is
 * the terminal, not when stderr is redirected to a file while stdout stays on the terminal (it filled the log).
 */
class ProgressBarTerminalTest {

    @Test
    void theBarIsDrawnOnTheTerminalButNotIntoARedirectedStderr(@TempDir Path dir)
            throws IOException, InterruptedException {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/self/fd/2")), "needs Linux's /proc");
        assumeTrue(List.of("/usr/bin/script", "/bin/script").stream().anyMatch(p -> Files.isExecutable(Path.of(p))),
                "needs util-linux's script");
        String infer = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "xportdnn.cli.Main", "infer", "--deploy_model",
                "examples/tinynet/deploy.prototxt", "--weights", "examples/tinynet/tinynet.caffemodel", "--images",
                "examples/tinynet/val.txt", "--mean_value", "128,128,128", "--batch", "1").stream()
                .map(ProgressBarTerminalTest::quoted).collect(Collectors.joining(" "));

        String terminal = onTerminal(infer);
        assertTrue(terminal.contains("infer [") && terminal.contains("images/s"), terminal);

        Path log = dir.resolve("run.log");
        String withLog = onTerminal(infer + " 2> " + quoted(log.toString()));
        assertTrue(withLog.contains("60 images classified"), withLog);
        String logged = Files.readString(log);
        assertFalse(logged.contains("images/s") || logged.contains("\r"), logged);
    }

    /** What {@code command} (a shell line) writes to the pseudo-terminal it runs on. */
    private static String onTerminal(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
