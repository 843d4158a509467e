package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import xportdnn.engine.EngineThreads;

/** Setting the calling thread's OpenMP count returns the count it replaced, and refuses a count below 1. */
class OpenMpThreadsTest {

    @Test
    void setReturnsTheCountItReplacesAndARefusedCountChangesNothing() {
        int original = EngineThreads.inEffect(); // loads the natives as a caller outside the engine would
        try {
            OpenMpThreads.set(3);
            assertEquals(3, OpenMpThreads.set(2));
            assertEquals(2, OpenMpThreads.inEffect());
            assertEquals(2, EngineThreads.setOpenMp(1)); // the engine's entry point goes through the same place
            assertEquals(1, EngineThreads.inEffect());
            assertThrows(IllegalArgumentException.class, () -> OpenMpThreads.set(0));
            assertEquals(1, OpenMpThreads.inEffect());
        } finally {
            OpenMpThreads.set(original);
        }
    }
}
