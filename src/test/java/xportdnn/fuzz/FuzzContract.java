package xportdnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import xportdnn.model.ModelException;
import xportdnn.model.NetLoader;

/**
 * The contract every fuzz target checks: the code under test returns a result or throws our own one-line
 * {@link ModelException}; any other exception fails the input, and so does taking longer than the time limit.
 */
public final class FuzzContract {

    private FuzzContract() {
    }

    /** Code under test that may throw anything. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} within {@code limit}; a ModelException is an accepted outcome if its message is one line. */
    public static void holds(Duration limit, Action action) {
        assertTimeoutPreemptively(limit, () -> {
            try {
                action.run();
            } catch (ModelException e) {
                assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"),
                        "a ModelException message spans lines: " + e.getMessage());
            }
        });
    }

    /**
     * Loads (and lets Jazzer instrument) the big generated protobuf classes and the image readers once, outside
     * any per-input time limit: on a busy machine that first load alone can take half a minute.
     */
    public static synchronized void warmUp() {
        if (warm) {
            return;
        }
        NetLoader.load(Path.of("examples/tinynet/deploy.prototxt"), Path.of("examples/tinynet/tinynet.caffemodel"));
        ImageIO.scanForPlugins();
        ImageIO.getImageReadersByFormatName("jpeg").hasNext();
        warm = true;
    }

    private static boolean warm;

    /** A fresh temporary folder for one input (delete it with {@link #deleteTree}). */
    public static Path tempDir() {
        try {
            return Files.createTempDirectory("xportdnn-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code bytes} as the file {@code name} in {@code dir}. */
    public static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
