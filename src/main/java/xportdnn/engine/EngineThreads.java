package xportdnn.engine;

import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.engine.layers.OpenMpThreads;

/**
 * The CPU threads ND4J computes with. Its native library has three pools: OpenMP (which oneDNN's convolutions
 * and most libnd4j loops run on), libnd4j's own thread pool, and OpenBLAS's. At load time ND4J sizes OpenMP from
 * the environment variable {@code OMP_NUM_THREADS} (else the number of cores); {@link #set} resizes all three at
 * run time. OpenMP's setting belongs to the calling thread, so call it from the thread that runs the engine.
 */
public final class EngineThreads {

    private EngineThreads() {
    }

    /** Makes ND4J compute with {@code threads} threads (at least 1) from now on, on the calling thread. */
    public static void set(int threads) {
        setOpenMp(threads); // refuses a count below 1 before any pool changes
        Environment environment = Nd4j.getEnvironment();
        environment.setMaxThreads(threads);
        environment.setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /**
     * Sets the calling thread's OpenMP thread count alone (what oneDNN's calls from this thread run on; the other
     * pools, process-wide, stay) and returns the count it replaces.
     */
    public static int setOpenMp(int threads) {
        loadNatives();
        return OpenMpThreads.set(threads);
    }

    /** The OpenMP thread count in effect on the calling thread: what the convolutions run with. */
    public static int inEffect() {
        loadNatives();
        return OpenMpThreads.inEffect();
    }

    private static void loadNatives() {
        NativeBuild.apply(); // a library user may set the threads before building an engine: natives first
        Nd4j.getBackend(); // loads the native library (and applies OMP_NUM_THREADS) if nothing has yet
    }
}
