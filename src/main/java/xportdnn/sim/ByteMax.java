package xportdnn.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The maximum of signed bytes eight lanes at a time, in a long's bit operations (SWAR), for MAX pooling on byte
 * codes. JDK 17's C2 vectorizes no maximum of bytes (a loop of {@code Math.max} or a ternary on byte arrays runs
 * scalar) nor the widening to ints that its vectorized int maximum needs; measured here on 111 x 111 planes, 3x3
 * windows at stride 2, the rows' maxima in longs made pooling about twice as fast as widening each row to ints.
 */
final class ByteMax {

    /** Eight bytes of an array as one long (any byte order would do: the lanes are independent). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH = 0x8080808080808080L;
    private static final long LOW = ~HIGH;

    private ByteMax() {
    }

    /** In every byte lane, the larger of {@code a}'s and {@code b}'s signed byte. */
    static long max(long a, long b) {
        // per lane, (a | 0x80) - (b & 0x7f) lies in 1..255 (no borrow crosses lanes); its high bit says
        // whether a's low seven bits are at least b's
        long lowAtLeast = (a | HIGH) - (b & LOW);
        // a >= b as signed bytes: a non-negative and b negative, or both of one sign and a's low bits at least b's
        long atLeast = ((b & ~a) | (~(a ^ b) & lowAtLeast)) & HIGH;
        long mask = (atLeast - (atLeast >>> 7)) | atLeast; // 0xff in the lanes where a >= b
        return (a & mask) | (b & ~mask);
    }

    /** {@code to[at + i] = max(to[at + i], from[src + i])} for i in 0..count-1. */
    static void maxInto(byte[] from, int src, byte[] to, int at, int count) {
        int i = 0;
        for (; i + Long.BYTES <= count; i += Long.BYTES) {
            LONGS.set(to, at + i, max((long) LONGS.get(to, at + i), (long) LONGS.get(from, src + i)));
        }
        for (; i < count; i++) {
            to[at + i] = (byte) Math.max(to[at + i], from[src + i]);
        }
    }
}
