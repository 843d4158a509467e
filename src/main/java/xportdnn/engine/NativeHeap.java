package xportdnn.engine;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Gives the pages of freed native memory back to the system (glibc's {@code malloc_trim}, through the JVM's
 * {@code System.trim_native_heap} diagnostic command). ND4J's arrays and the JVM's own native structures come from
 * the C heap, and glibc keeps what is freed in the middle of it: fast finetune on MobileNet v2 (8 images, -Xmx2g,
 * 2026-12-07) was 6.2 GB resident of which one trim gave back 3.9 GB, and JavaCPP's maxphysicalbytes, which counts
 * resident memory, then stopped runs whose live memory was far below it. Freed memory only: what is held stays.
 */
public final class NativeHeap {

    private static final String COMMAND = "systemTrimNativeHeap";
    /** Cleared once the command is missing (a JVM before 17.0.9, not HotSpot) or fails: then never tried again. */
    private static volatile boolean available = true;

    private NativeHeap() {
    }

    /**
     * Trims the C heap; a no-op where the JVM cannot (no glibc: the command answers so, and nothing is freed).
     *
     * @return whether the command ran
     */
    public static boolean trim() {
        if (!available) {
            return false;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), COMMAND,
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return true;
        } catch (JMException | RuntimeException e) {
            available = false;
            return false;
        }
    }
}
