package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eight-lane byte maximum against {@code Math.max} on each byte. */
class ByteMaxTest {

    /** Every pair of signed bytes, in every lane, among random neighbours (which must not leak into it). */
    @Test
    void everyPairInEveryLane() {
        Random r = new Random(3);
        for (int a = Byte.MIN_VALUE; a <= Byte.MAX_VALUE; a++) {
            for (int b = Byte.MIN_VALUE; b <= Byte.MAX_VALUE; b++) {
                int lane = r.nextInt(Long.BYTES);
                long x = r.nextLong() & ~(0xffL << 8 * lane) | (a & 0xffL) << 8 * lane;
                long y = r.nextLong() & ~(0xffL << 8 * lane) | (b & 0xffL) << 8 * lane;
                long m = ByteMax.max(x, y);
                for (int k = 0; k < Long.BYTES; k++) {
                    byte expected = (byte) Math.max((byte) (x >>> 8 * k), (byte) (y >>> 8 * k));
                    assertEquals(expected, (byte) (m >>> 8 * k), a + " " + b + " lane " + k);
                }
            }
        }
    }

    /** Runs of 0 to 40 bytes at any offsets: the long-wise body and the byte-wise tail, nothing outside. */
    @Test
    void maxIntoTouchesOnlyItsRun() {
        Random r = new Random(4);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] from = new byte[60];
            byte[] to = new byte[60];
            r.nextBytes(from);
            r.nextBytes(to);
            int count = r.nextInt(41);
            int src = r.nextInt(60 - count + 1);
            int at = r.nextInt(60 - count + 1);
            byte[] expected = to.clone();
            for (int i = 0; i < count; i++) {
                expected[at + i] = (byte) Math.max(expected[at + i], from[src + i]);
            }
            ByteMax.maxInto(from, src, to, at, count);
            assertArrayEquals(expected, to, "trial " + trial);
        }
    }
}
