package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The trim reaches the JVM's diagnostic command where the JVM has it (HotSpot 17.0.9 on): a wrong command name or
 * signature would make every trim a silent no-op.
 */
class NativeHeapTest {

    @Test
    void trimRunsTheJvmCommandTwice() {
        Runtime.Version v = Runtime.version();
        assumeTrue(System.getProperty("java.vm.name", "").matches(".*(HotSpot|OpenJDK).*")
                        && (v.feature() > 17 || v.feature() == 17 && v.update() >= 9),
                "needs HotSpot 17.0.9 or later (System.trim_native_heap)");
        assertTrue(NativeHeap.trim());
        assertTrue(NativeHeap.trim()); // not disabled by the first
    }
}
