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
 * the arrays of a call are set on the shared context.
 */
final class NativeCall {

    private final CustomOp op;
    private final OpContext context;

    /** Calls {@code op}: its integer, float and boolean arguments are kept; the arrays it was built with are not. */
    NativeCall(CustomOp op) {
        this.op = op;
        context = Nd4j.getExecutioner().buildContext();
        context.setIArguments(op.iArgs());
        context.setTArguments(op.tArgs());
        context.setBArguments(op.bArgs());
    }

    /** libnd4j's custom op {@code name} with the given float arguments (for ops without a Java class of their own). */
    static NativeCall named(String name, double... floatArguments) {
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
     * Runs the op as {@link #run} does, but on the calling thread alone: for libnd4j's own loops (element-wise ops,
     * not oneDNN's) over small arrays, where waking a second thread costs more than the work it takes over. libnd4j
     * splits such a loop over at most {@code maxMasterThreads} threads; that process-wide limit is lowered for the
     * call and put back after it (a libnd4j loop another thread starts meanwhile also runs on one thread).
     */
    void runAlone(INDArray output, INDArray... inputs) {
        Environment environment = Nd4j.getEnvironment();
        int threads = environment.maxMasterThreads();
        if (threads <= 1) {
            run(output, inputs);
            return;
        }
        environment.setMaxMasterThreads(1);
        try {
            run(output, inputs);
        } finally {
            environment.setMaxMasterThreads(threads);
        }
    }

    /** Runs the op on {@code inputs} (null entries are left out: an absent bias) writing into {@code output}. */
    void run(INDArray output, INDArray... inputs) {
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
        context.setInputArrays(given);
        context.setOutputArrays(output);
        Nd4j.getExecutioner().exec(op, context);
    }
}
