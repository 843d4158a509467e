package xportdnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import xportdnn.data.Progress;

/**
 * A one-line progress bar on stderr for long runs: done/total, images per second and the time left. It draws only
 * when stderr is a terminal and {@code --quiet} is off, so piped or logged runs ({@code 2> run.log}) stay clean.
 */
final class ProgressBar implements Progress.Step {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;

    /** Bars for the pipeline's steps, drawn unless {@code quiet}. */
    static Progress factory(boolean quiet) {
        return (label, total) -> new ProgressBar(label, total, quiet);
    }

    ProgressBar(String label, long total, boolean quiet) {
        this(label, total, System.err, !quiet && stderrIsTerminal());
    }

    /**
     * Whether stderr is a terminal: on Linux, whether its descriptor links to a terminal device. A console ({@link
     * System#console}) says only that stdin and stdout are terminals: {@code 2> run.log} on a terminal filled the
     * log with bars. Where /proc does not tell, the console decides.
     */
    private static boolean stderrIsTerminal() {
        try {
            String device = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty") || device.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    ProgressBar(String label, long total, PrintStream out, boolean enabled) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.enabled = enabled;
    }

    /** Counts {@code images} more as done. */
    @Override
    public void accept(int images) {
        done += images;
        long now = System.nanoTime();
        if (enabled && (now - lastDraw > REDRAW_NANOS || done >= total)) {
            lastDraw = now;
            out.print("\r" + line(now));
            out.flush();
        }
    }

    String line(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        int filled = total == 0 ? WIDTH : (int) (WIDTH * Math.min(1.0, done / (double) total));
        String eta = rate > 0 && done < total ? clock((total - done) / rate) : "0:00";
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d  %.1f images/s  ETA %s ", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, rate, eta);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Ends the line so later output starts on a fresh one. */
    @Override
    public void close() {
        if (enabled && lastDraw != 0) {
            out.println();
        }
    }
}
