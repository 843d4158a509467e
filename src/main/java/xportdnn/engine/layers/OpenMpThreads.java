package xportdnn.engine.layers;

import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The calling thread's OpenMP thread count: what oneDNN's calls from this thread run on. The one place that reads
 * and sets it; the engine's own layers ({@link NativeCall}) lower it around small calls and
 * {@code engine.EngineThreads} sets it for callers outside the engine (it loads the right native build first, so
 * they go through it rather than here).
 */
public final class OpenMpThreads {

    private OpenMpThreads() {
    }

    /** The count in effect on the calling thread. */
    public static int inEffect() {
        return nativeOps().ompGetMaxThreads();
    }

    /**
     * Sets the calling thread's count to {@code threads} (at least 1) and returns the count it replaces, for the
     * caller to put back: {@code int before = set(1); try { ... } finally { set(before); }}.
     */
    public static int set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + " is not positive");
        }
        NativeOps nativeOps = nativeOps();
        int before = nativeOps.ompGetMaxThreads();
        nativeOps.setOmpNumThreads(threads);
        return before;
    }

    private static NativeOps nativeOps() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
