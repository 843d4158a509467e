package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.engine.EngineThreads;

/** A call below its bound runs on one thread and leaves ND4J's thread counts as it found them. */
class NativeCallTest {

    private int openMpBefore;
    private int masterBefore;

    @BeforeEach
    void twoThreads() {
        openMpBefore = EngineThreads.inEffect();
        masterBefore = Nd4j.getEnvironment().maxMasterThreads();
        EngineThreads.set(2);
    }

    @AfterEach
    void restore() {
        EngineThreads.set(openMpBefore);
        Nd4j.getEnvironment().setMaxMasterThreads(masterBefore);
    }

    @Test
    void smallCallComputesAndPutsBothCountsBack() {
        NativeCall relu = NativeCall.named("relu", 0.0);
        INDArray y = Nd4j.createFromArray(-1f, 2f, -3f, 4f);
        relu.run(y.length(), NativeCall.ONE_THREAD_MAX_VALUES, y, y);
        assertArrayEquals(new float[] {0, 2, 0, 4}, y.toFloatVector());
        assertEquals(2, EngineThreads.inEffect());
        assertEquals(2, Nd4j.getEnvironment().maxMasterThreads());
    }

    /** The context keeps the arrays of the last call: a call on other arrays, or back on the first, sets them. */
    @Test
    void eachCallComputesOnItsOwnArrays() {
        NativeCall add = NativeCall.named("add");
        INDArray a = Nd4j.createFromArray(1f, 2f);
        INDArray b = Nd4j.createFromArray(10f, 20f);
        INDArray sum = Nd4j.createFromArray(0f, 0f);
        INDArray other = Nd4j.createFromArray(0f, 0f);
        add.run(sum, a, a);
        assertArrayEquals(new float[] {2, 4}, sum.toFloatVector());
        add.run(sum, a, b);
        assertArrayEquals(new float[] {11, 22}, sum.toFloatVector());
        a.assign(3f); // the same arrays again, their values changed
        add.run(sum, a, b);
        assertArrayEquals(new float[] {13, 23}, sum.toFloatVector());
        add.run(other, b, b);
        assertArrayEquals(new float[] {20, 40}, other.toFloatVector());
        assertArrayEquals(new float[] {13, 23}, sum.toFloatVector());
        add.run(sum, a, a);
        assertArrayEquals(new float[] {6, 6}, sum.toFloatVector());
    }

    @Test
    void overlappingCallsOnTwoJavaThreadsPutMaxMasterThreadsBack() throws Exception {
        // libnd4j's maxMasterThreads is process-wide: a call that saved the value another call had lowered would
        // put back 1 for good
        Callable<Void> calls = () -> {
            EngineThreads.set(2);
            NativeCall relu = NativeCall.named("relu", 0.0);
            INDArray y = Nd4j.createFromArray(-1f, 2f);
            for (int i = 0; i < 2000; i++) {
                relu.run(y.length(), NativeCall.ONE_THREAD_MAX_VALUES, y, y);
            }
            assertEquals(2, EngineThreads.inEffect()); // this Java thread's OpenMP count
            return null;
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                done.add(pool.submit(calls));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        Environment environment = Nd4j.getEnvironment();
        assertEquals(2, environment.maxMasterThreads());
    }
}
