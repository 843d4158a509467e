package xportdnn.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import xportdnn.engine.EngineThreads;

/**
 * Runs a batch as shares of its images, one share per engine thread, each on a thread of its own that computes it
 * alone: its native products on one OpenMP thread, its Java loops ({@link IntConvolution#parallel}) sequential.
 * Images do not interact, so each share computes what the whole batch would for its images. Splitting every
 * step's loops and products across the cores instead makes the threads meet at each of a pass's hundreds of joins
 * and native calls, where one waits for the other (and OpenMP's threads spin); shares run the whole pass without
 * meeting.
 */
final class BatchShares {

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "xportdnn-sim-share");
        t.setDaemon(true);
        return t;
    });
    /** Whether the current thread is computing a share: its loops run on it alone. */
    private static final ThreadLocal<Boolean> IN_SHARE = ThreadLocal.withInitial(() -> false);

    private BatchShares() {
    }

    /**
     * How many shares a batch of {@code batch} images run from the calling thread takes: one per OpenMP thread the
     * caller computes with ({@link EngineThreads}), at most one per image; 1 (no split) inside a share.
     */
    static int count(int batch) {
        return IN_SHARE.get() ? 1 : Math.min(batch, EngineThreads.inEffect());
    }

    /** Whether the calling thread computes a share, and so runs its loops alone. */
    static boolean inShare() {
        return IN_SHARE.get();
    }

    /** The first image of share {@code s} of {@code shares} of a batch (share s holds images first(s)..first(s+1)-1). */
    static int first(int s, int shares, int batch) {
        return (int) ((long) batch * s / shares);
    }

    /**
     * {@code share} applied to 0..shares-1, share 0 on the calling thread and each other on a thread of its own,
     * all at once; returns when all have ended, their results in share order, or throws the first share's failure.
     */
    static <T> List<T> run(int shares, IntFunction<T> share) {
        List<Future<T>> others = new ArrayList<>();
        for (int s = 1; s < shares; s++) {
            int index = s;
            others.add(THREADS.submit(() -> alone(share, index)));
        }
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        try {
            results.add(alone(share, 0));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<T> f : others) { // every share is waited for: they use the nets' buffers
            try {
                results.add(waitFor(f));
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static <T> T alone(IntFunction<T> share, int s) {
        int openMp = EngineThreads.setOpenMp(1);
        IN_SHARE.set(true);
        try {
            return share.apply(s);
        } finally {
            IN_SHARE.set(false);
            EngineThreads.setOpenMp(openMp);
        }
    }

    private static <T> T waitFor(Future<T> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the share still uses the buffers: wait for it all the same
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
