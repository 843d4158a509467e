package xportdnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code xportdnn} launcher's memory defaults: the memory a run may use (MemAvailable, a cgroup's limit), and
 * the heap and JavaCPP resident limit it gives Java, on hand-made /proc and cgroup files.
 */
class LauncherMemoryTest {

    private static final Path LAUNCHER = Path.of("xportdnn").toAbsolutePath();

    @TempDir
    Path dir;

    /** Runs {@code script} in bash with the launcher's functions defined; returns its stdout, trimmed. */
    private static String bash(String script, String... environment) throws IOException, InterruptedException {
        return run(List.of("bash", "-c", "source \"$1\"; " + script, "bash", LAUNCHER.toString()), environment);
    }

    /** Runs {@code command} (environment: name, value, ...; without the user's XPORTDNN_ settings); its stdout. */
    private static String run(List<String> command, String... environment) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("XPORTDNN_MEMORY_MB");
        pb.environment().remove("XPORTDNN_JAVA_OPTS");
        for (int i = 0; i < environment.length; i += 2) {
            pb.environment().put(environment[i], environment[i + 1]);
        }
        Process process = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command));
        return out.trim();
    }

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private String memoryMb(String... environment) throws Exception {
        return bash("machine_memory_mb " + dir.resolve("meminfo") + " " + dir.resolve("cg") + " "
                + dir.resolve("self"), environment);
    }

    private static final String MEMINFO = "MemTotal:       24683748 kB\nMemFree:        22849280 kB\n"
            + "MemAvailable:   16384000 kB\nBuffers:           40988 kB\n";

    @Test
    void withoutCgroupLimitTheAvailableMemoryCounts() throws Exception {
        write("meminfo", MEMINFO);
        write("self", "0::/\n");
        write("cg/memory.max", "max\n");
        assertEquals("16000", memoryMb()); // 16,384,000 kB / 1024
    }

    @Test
    void oldKernelsWithoutMemAvailableUseMemTotal() throws Exception {
        write("meminfo", "MemTotal:        8388608 kB\nMemFree:         1000000 kB\n");
        assertEquals("8192", memoryMb()); // no /proc/self/cgroup file either
    }

    @Test
    void aCgroupV2LimitBelowTheMachineWinsAlsoFromAParentGroup() throws Exception {
        write("meminfo", MEMINFO);
        write("self", "0::/user.slice/run-1.scope\n");
        write("cg/user.slice/run-1.scope/memory.max", "max\n");
        write("cg/user.slice/memory.max", "8589934592\n"); // 8 GiB
        assertEquals("8192", memoryMb());
        write("cg/user.slice/memory.max", "34359738368\n"); // 32 GiB: the machine's 16000 MB stay
        assertEquals("16000", memoryMb());
    }

    @Test
    void aCgroupV1LimitCountsAndItsNoLimitValueDoesNot() throws Exception {
        write("meminfo", MEMINFO);
        write("self", "5:cpu,cpuacct:/a\n4:memory:/a/b\n0::/\n");
        write("cg/memory/a/b/memory.limit_in_bytes", "9223372036854771712\n"); // v1's "no limit"
        write("cg/memory/a/memory.limit_in_bytes", "4294967296\n"); // 4 GiB
        write("cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
        assertEquals("4096", memoryMb());
    }

    @Test
    void xportdnnMemoryMbOverridesTheMachine() throws Exception {
        write("meminfo", MEMINFO);
        assertEquals("3000", memoryMb("XPORTDNN_MEMORY_MB", "3000"));
        assertEquals("16000", memoryMb("XPORTDNN_MEMORY_MB", "3 GB")); // not a number: ignored
    }

    @Test
    void heapAtMostHalfTheMemoryAndResidentLimitNinetyPercent() throws Exception {
        assertEquals("-Xmx8192m -Dorg.bytedeco.javacpp.maxphysicalbytes=21600m", bash("java_memory_opts 8192 24000"));
        assertEquals("-Xmx8000m -Dorg.bytedeco.javacpp.maxphysicalbytes=14400m", bash("java_memory_opts 8192 16000"));
        assertEquals("-Xmx3500m -Dorg.bytedeco.javacpp.maxphysicalbytes=6300m", bash("java_memory_opts 8192 7000"));
        assertEquals("-Xmx2712m -Dorg.bytedeco.javacpp.maxphysicalbytes=6300m", bash("java_memory_opts 2712 7000"));
        assertEquals("-Xmx256m -Dorg.bytedeco.javacpp.maxphysicalbytes=360m", bash("java_memory_opts 600 400"));
        assertEquals("-Xmx8192m", bash("java_memory_opts 8192 0")); // memory unknown: the command's heap alone
    }

    /**
     * The launcher end to end, with a stand-in for {@code java} that prints its arguments: validate's heap from the
     * weights file, capped by XPORTDNN_MEMORY_MB; XPORTDNN_JAVA_OPTS comes after the defaults, so that it wins.
     */
    @Test
    void launcherPassesItsDefaultsBeforeTheUsersOptions() throws Exception {
        Path checkout = dir.resolve("checkout");
        Path launcher = checkout.resolve("xportdnn");
        Files.createDirectories(checkout.resolve("src/main"));
        Files.createDirectories(checkout.resolve("proto"));
        Files.writeString(checkout.resolve("pom.xml"), "");
        Files.copy(LAUNCHER, launcher);
        Path jar = write("checkout/target/xportdnn.jar", "");
        write("checkout/target/classpath.txt", "deps.jar");
        FileTime later = FileTime.fromMillis(System.currentTimeMillis() + 60_000); // newer than the sources: no build
        Files.setLastModifiedTime(jar, later);
        Files.setLastModifiedTime(checkout.resolve("target/classpath.txt"), later);
        Path weights = Files.write(dir.resolve("w.caffemodel"), new byte[3 * 1048576]);
        Path bin = write("bin/java", "#!/bin/sh\necho \"$@\"\n");
        bin.toFile().setExecutable(true);
        String path = bin.getParent() + ":" + System.getenv("PATH");

        String validate = run(List.of(launcher.toString(), "validate", "--weights", weights.toString()),
                "PATH", path, "XPORTDNN_MEMORY_MB", "10000");
        // 600 MB + 4 x 3 MB; resident limit 90% of 10,000 MB
        assertEquals("-Xmx612m -Dorg.bytedeco.javacpp.maxphysicalbytes=9000m -cp " + jar + ":deps.jar "
                + "xportdnn.cli.Main validate --weights " + weights, validate);
        String export = run(List.of(launcher.toString(), "--calibration_size", "8"), "PATH", path,
                "XPORTDNN_MEMORY_MB", "6000", "XPORTDNN_JAVA_OPTS", "-Xmx4g -Dx=1");
        assertEquals("-Xmx3000m -Dorg.bytedeco.javacpp.maxphysicalbytes=5400m -Xmx4g -Dx=1 -cp " + jar + ":deps.jar "
                + "xportdnn.cli.Main --calibration_size 8", export);
    }
}
