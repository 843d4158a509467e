package xportdnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.opentest4j.AssertionFailedError;
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

    /**
     * Runs {@code action} within {@code limit}; a ModelException is an accepted outcome if its message is one line.
     * The input runs on one long-lived thread (a new thread per input, as assertTimeoutPreemptively makes, cost
     * more than most inputs); after a time-out that thread is abandoned and a new one started.
     */
    public static void holds(Duration limit, Action action) {
        Future<?> result = runner().submit(() -> {
            action.run();
            return null;
        });
        try {
            result.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            restartRunner();
            fail("no result within " + limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ModelException m) {
                assertFalse(m.getMessage().contains("\n") || m.getMessage().contains("\r"),
                        "a ModelException message spans lines: " + m.getMessage());
            } else {
                throw new AssertionFailedError("not our one-line error: " + e.getCause(), e.getCause());
            }
        }
    }

    private static ExecutorService runner;

    private static synchronized ExecutorService runner() {
        if (runner == null) {
            runner = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fuzz-input");
                t.setDaemon(true);
                return t;
            });
        }
        return runner;
    }

    private static synchronized void restartRunner() {
        runner.shutdownNow();
        runner = null;
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
