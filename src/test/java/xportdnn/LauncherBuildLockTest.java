package xportdnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two launchers started at once on a checkout that needs a build: one builds, the other waits for it and then runs
 * on the jar it made, instead of both building into the same target/ (with stand-ins for {@code mvn} and
 * {@code java}).
 */
class LauncherBuildLockTest {

    private static final Path LAUNCHER = Path.of("xportdnn").toAbsolutePath();

    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void twoRunsAtOnceBuildOnce() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")) || Files.isExecutable(Path.of("/bin/flock")),
                "flock (util-linux) is not installed: the launcher does not serialize builds without it");
        Path checkout = dir.resolve("checkout");
        write("checkout/src/main/A.java", "");
        write("checkout/proto/a.proto", "");
        write("checkout/pom.xml", "");
        Path launcher = checkout.resolve("xportdnn");
        Files.copy(LAUNCHER, launcher);
        Path builds = dir.resolve("builds");
        // the build takes long enough for the second run to start while it goes on, and writes the jar last
        Path mvn = write("bin/mvn", "#!/bin/sh\necho build >> " + builds + "\nsleep 3\n"
                + "echo deps.jar > " + checkout.resolve("target/classpath.txt") + "\n"
                + ": > " + checkout.resolve("target/xportdnn.jar") + "\n");
        Path java = write("bin/java", "#!/bin/sh\necho ran\n");
        mvn.toFile().setExecutable(true);
        java.toFile().setExecutable(true);
        String path = mvn.getParent() + ":" + System.getenv("PATH");

        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version");
            pb.environment().put("PATH", path);
            pb.environment().put("XPORTDNN_MEMORY_MB", "4000");
            runs.add(pb.redirectErrorStream(true).start());
        }
        for (Process run : runs) {
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, run.waitFor(), out);
            assertEquals("ran", out.lines().reduce((a, b) -> b).orElse(""), out);
        }
        assertEquals(List.of("build"), Files.readAllLines(builds));
    }
}
