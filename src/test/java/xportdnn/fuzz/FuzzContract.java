package xportdnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
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
 *
 * <p>The limit is CPU time of the thread running the input, so that a busy machine (a load average of 40 on two
 * cores, as when several test runs share it) does not make a slow but finite input look like a hang: the first
 * input that reaches a layer type loads and instruments its classes, which took over 20 s of wall time there for
 * a real 17 kB prototxt that loads in 0.2 s once warm. An input blocked without using CPU fails after
 * {@link #WALL_FACTOR} times the limit of wall time.
 */
public final class FuzzContract {

    private FuzzContract() {
    }

    /** Code under test that may throw anything. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** Wall time allowed, in multiples of the CPU-time limit, to an input that waits instead of computing. */
    static final int WALL_FACTOR = 10;

    /**
     * Runs {@code action} within {@code limit} of CPU time; a ModelException is an accepted outcome if its message
     * is one line. The input runs on one long-lived thread (a new thread per input, as assertTimeoutPreemptively
     * makes, cost more than most inputs); after a time-out that thread is abandoned and a new one started.
     */
    public static void holds(Duration limit, Action action) {
        ExecutorService executor = runner(); // first: it starts the thread whose CPU time counts
        long cpuStart = cpuNanos();
        long wallStart = System.nanoTime();
        Future<?> result = executor.submit(() -> {
            action.run();
            return null;
        });
        try {
            while (true) {
                try {
                    result.get(100, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    long cpu = cpuNanos() - cpuStart;
                    long wall = System.nanoTime() - wallStart;
                    if (cpu > limit.toNanos() || wall > WALL_FACTOR * limit.toNanos()) {
                        result.cancel(true);
                        restartRunner();
                        fail("no result within " + limit + " of CPU time (used " + cpu / 1_000_000 + " ms in "
                                + wall / 1_000_000 + " ms)");
                    }
                }
            }
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
    /** The runner's thread, whose CPU time the limit counts. */
    private static volatile Thread worker;

    private static synchronized ExecutorService runner() {
        if (runner == null) {
            runner = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fuzz-input");
                t.setDaemon(true);
                worker = t;
                return t;
            });
            try {
                runner.submit(() -> { }).get(); // starts the thread, so that its CPU time can be read
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        return runner;
    }

    private static synchronized void restartRunner() {
        runner.shutdownNow();
        runner = null;
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(worker.getId());
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
