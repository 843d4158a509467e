package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReusedCodesTest {

    @Test
    void keepsTheArrayForTheSameLengthAndReplacesItForAnother() {
        ReusedCodes reused = new ReusedCodes();
        Codes first = reused.get(false, 1000);
        assertEquals(1000, first.length());
        assertSame(first, reused.get(false, 1000));
        Codes other = reused.get(false, 10);
        assertEquals(10, other.length());
        assertNotSame(first, other);
        Codes bytes = reused.get(true, 10);
        assertTrue(bytes.bytes());
        assertSame(bytes, reused.get(true, 10));
    }

    /**
     * The kept array gives way when the heap is needed: in a JVM of 64 MiB, a kept array of 40 MiB and a new one
     * of 40 MiB cannot both live, so the second allocation succeeds only if the first was released. The child runs
     * the serial collector: under G1 (the default here) the child once ran out of memory in a loaded full test run
     * and passed on every rerun, a 41-region humongous allocation in a 64-region heap; the serial collector's one
     * old generation makes the outcome depend on the soft reference alone.
     */
    @Test
    void releasesTheArrayWhenTheHeapIsNeeded() throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Pressure.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("allocated 41943040 bytes beside the kept codes"), output);
    }

    /** Run in a JVM of 64 MiB heap by {@link #releasesTheArrayWhenTheHeapIsNeeded}. */
    static final class Pressure {
        public static void main(String[] args) {
            ReusedCodes reused = new ReusedCodes();
            Codes codes = reused.get(false, 10 << 20); // 40 MiB
            codes.write(0, new int[] {1}, 0, 1);
            codes = null;
            int[] other = new int[10 << 20];
            other[0] = 2;
            System.out.println("allocated " + 4L * other.length + " bytes beside the kept codes");
        }
    }
}
