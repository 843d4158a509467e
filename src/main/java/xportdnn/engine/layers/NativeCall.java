package xportdnn.engine.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One libnd4j op that a layer calls on every pass with the same arguments: the op and its native argument
 * context are built once, and a call only sets the arrays. {@code Nd4j.exec(new Conv2D(...))} builds both afresh
 * on every call, which cost as much as oneDNN's own work for SqueezeNet's small convolutions (a 13 x 13, 512 -> 64
 * 1x1 convolution: 240 us a call against 120 us through a kept context, measured in one process, 2 threads).
 * The context is native memory that ND4J frees when this object is garbage-collected. Not for concurrent use:
 * the arrays of a call are set on the shared context. Public for the simulator's integer matrix products
 * ({@link #named}, {@link #run(INDArray, INDArray...)}); the rest serves the engine's layers.
 */
public final class NativeCall {

    /**
     * Memory-bound calls (element-wise ops, poolings, concats) over at most this many values run on the calling
     * thread alone. Measured per call at batch 1 and 16 on SqueezeNet, one and two threads alternated in one
     * process on this project's 2-core machine (fastest of 30-200 calls each, load average 3-9): at batch 1 one
     * thread was the faster at every size up to the largest, 1.2 million values (conv1's ReLU 119 against 139 us,
     * pool1 149 against 183 us, a 55 x 55 x 128 + 128 concat 236 against 239 us); at batch 16 the two were even
     * from 0.7 to 1.5 million values and two threads won from 4.5 million (a concat 1.13 against 1.78 ms).
     */
    static final long ONE_THREAD_MAX_VALUES = 1 << 21;

    /**
     * Convolutions of at most this many multiply-adds per call run on the calling thread alone. Measured as
     * {@link #ONE_THREAD_MAX_VALUES} (fastest call of each, SqueezeNet batch 1): one thread won up to 28 million
     * multiply-adds (a 55 x 55, 16 -> 64 3x3: 362 against 384 us; every 1x1 of up to 18 million, e.g. 265 against
     * 300 us), two from 60 million (27 x 27, 48 -> 192 3x3: 556 against 646 us; conv1's 174 million: 1.35 against
     * 1.99 ms). Every convolution of a batch-16 SqueezeNet pass (45 million and up) stays on all threads.
     */
    static final long ONE_THREAD_MAX_MULTIPLY_ADDS = 1 << 25;

    /** Calls running alone just now, on any Java thread, and the {@code maxMasterThreads} the first of them found. */
    private static int callsAlone;
    private static int masterThreads;

    private final CustomOp op;
    private final OpContext context;
    /**
     * The arrays the context holds from the last call. Setting an array is a native call per array, so one the
     * context already holds (the ops' kept buffers and views, every pass) is not set again.
     */
    private INDArray[] setInputs = new INDArray[0];
    private INDArray setOutput;

    /** Calls {@code op}: its integer, float and boolean arguments are kept; the arrays it was built with are not. */
    NativeCall(CustomOp op) {
        this.op = op;
        context = Nd4j.getExecutioner().buildContext();
        context.setIArguments(op.iArgs());
        context.setTArguments(op.tArgs());
        context.setBArguments(op.bArgs());
    }

    /** A call of the same op and arguments with a native context of its own, for another thread. */
    NativeCall another() {
        return new NativeCall(op);
    }

    /** libnd4j's custom op {@code name} with the given float arguments (for ops without a Java class of their own). */
    public static NativeCall named(String name, double... floatArguments) {
        return new NativeCall(DynamicCustomOp.builder(name)
                .addFloatingPointArguments(toObjects(floatArguments)).build());
    }

    private static Double[] toObjects(double[] values) {
        Double[] boxed = new Double[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    /**
     * Runs the op as {@link #run} does, on the calling thread alone when {@code work <= oneThreadMax} (see
     * {@link #ONE_THREAD_MAX_VALUES}): there waking a second thread costs more than the work it takes over. oneDNN
     * (convolutions, poolings, concats) runs on OpenMP with the calling thread's OpenMP thread count, libnd4j's own
     * loops (element-wise ops) on at most {@code maxMasterThreads} threads: both are lowered for the call and put
     * back after it.
     */
    void run(long work, long oneThreadMax, INDArray output, INDArray... inputs) {
        if (work > oneThreadMax) {
            run(output, inputs);
            return;
        }
        int openMpThreads = OpenMpThreads.set(1);
        enterAlone();
        try {
            run(output, inputs);
        } finally {
            leaveAlone();
            OpenMpThreads.set(openMpThreads);
        }
    }

    /**
     * libnd4j's {@code maxMasterThreads} is process-wide (OpenMP's count belongs to the calling thread): the first
     * of overlapping calls lowers it, the last puts it back.
     */
    private static synchronized void enterAlone() {
        if (callsAlone++ == 0) {
            Environment environment = Nd4j.getEnvironment();
            masterThreads = environment.maxMasterThreads();
            environment.setMaxMasterThreads(1);
        }
    }

    private static synchronized void leaveAlone() {
        if (--callsAlone == 0) {
            Nd4j.getEnvironment().setMaxMasterThreads(masterThreads);
        }
    }

    /** True when {@code a} and {@code b} hold the same array objects in the same order. */
    private static boolean sameArrays(INDArray[] a, INDArray[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** Runs the op on {@code inputs} (null entries are left out: an absent bias) writing into {@code output}. */
    public void run(INDArray output, INDArray... inputs) {
        int n = 0;
        for (INDArray in : inputs) {
            if (in != null) {
                n++;
            }
        }
        INDArray[] given = new INDArray[n];
        n = 0;
        for (INDArray in : inputs) {
            if (in != null) {
                given[n++] = in;
            }
        }
        if (!sameArrays(given, setInputs)) {
            context.setInputArrays(given);
            setInputs = given;
        }
        if (output != setOutput) {
            context.setOutputArrays(output);
            setOutput = output;
        }
        Nd4j.getExecutioner().exec(op, context);
    }
}
