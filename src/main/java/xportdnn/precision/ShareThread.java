package xportdnn.precision;

/**
 * Whether the calling thread computes one share of a batch while other threads compute the others
 * ({@code engine.BatchShares}): its loops then run on it alone, as the other shares keep the other cores busy. Kept
 * here, below the engine, because the number formats' bulk quantization asks it too.
 */
public final class ShareThread {

    private static final ThreadLocal<Boolean> IN_SHARE = ThreadLocal.withInitial(() -> false);

    private ShareThread() {
    }

    /** Whether the calling thread computes a share of a batch. */
    public static boolean inShare() {
        return IN_SHARE.get();
    }

    /** Marks the calling thread as computing a share of a batch ({@code true}) or not. */
    public static void set(boolean inShare) {
        IN_SHARE.set(inShare);
    }
}
