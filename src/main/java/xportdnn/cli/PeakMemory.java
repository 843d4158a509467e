package xportdnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** This process's peak resident memory (Linux's VmHWM): the JVM, its heap and ND4J's off-heap arrays together. */
final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {
    }

    /** Peak resident bytes so far, or empty where /proc is not there (not Linux). */
    static OptionalLong residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024); // the kernel prints kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown rather than wrong
        }
        return OptionalLong.empty();
    }
}
