package xportdnn.sim;

/**
 * A blob's integer codes in the narrowest array their range fits: bytes where the step that writes them knows them
 * within -128..127 (its requantizer saturates there: every signed format of at most 8 bits, so all of SqueezeNet's
 * blobs at 8 bits), ints otherwise (wider formats, unsigned 8-bit codes, the quantized image). Bytes are a quarter
 * of the memory traffic, and a convolution whose product takes int8 copies its input's runs into its column matrix
 * as they are instead of converting them for every kernel tap. The steps read and write codes through the bulk
 * moves below, the only code that knows the storage: into int working rows ({@link #read}), from them
 * ({@link #write}), into a product's int8 or float32 rows. (The JIT of JDK 17 vectorizes neither widening nor
 * narrowing loops, so work on int rows plus one conversion beats loops on bytes; measured.)
 */
abstract sealed class Codes permits Codes.Bytes, Codes.Ints {

    /** {@code length} zero codes in bytes or ints. */
    static Codes allocate(boolean bytes, int length) {
        return bytes ? new Bytes(new byte[length]) : new Ints(new int[length]);
    }

    /** The codes of this array, which the caller hands over (not copied). */
    static Codes of(int[] codes) {
        return new Ints(codes);
    }

    /** Codes within {@code min..max}, moved into bytes when they fit. */
    static Codes narrowest(int[] codes, long min, long max) {
        if (!fitsBytes(min, max)) {
            return of(codes);
        }
        Codes bytes = allocate(true, codes.length);
        bytes.write(0, codes, 0, codes.length);
        return bytes;
    }

    /** Whether every code within {@code min..max} fits in a byte. */
    static boolean fitsBytes(long min, long max) {
        return min >= Byte.MIN_VALUE && max <= Byte.MAX_VALUE;
    }

    abstract int length();

    /** Whether the codes are held as bytes. */
    abstract boolean bytes();

    /** Code {@code i}. */
    abstract int get(int i);

    /** The codes as ints: for int storage the array itself (read it, never modify it), else a widened copy. */
    abstract int[] toInts();

    /** {@code to[at + i] = code(from + i)} for i in 0..count-1. */
    abstract void read(int from, int[] to, int at, int count);

    /** {@code to[at + i] = code(from + i * stride)} for i in 0..count-1. */
    void read(int from, int stride, int[] to, int at, int count) {
        if (stride == 1) {
            read(from, to, at, count);
            return;
        }
        for (int i = 0; i < count; i++) {
            to[at + i] = get(from + i * stride);
        }
    }

    /** {@code code(at + i) = from[src + i]} for i in 0..count-1 (codes within this storage's range). */
    abstract void write(int at, int[] from, int src, int count);

    /**
     * {@code rows[at + i] = code(from + i * stride)}: codes within -128..127. A unit stride has a loop of its own
     * (or is a copy), as in {@link #toFloat32}: the JIT runs it 2-3 times faster than the strided one.
     */
    abstract void toInt8(int from, int stride, byte[] rows, int at, int count);

    /** {@code rows[at + i] = code(from + i * stride)}. */
    abstract void toFloat32(int from, int stride, float[] rows, int at, int count);

    /** Codes {@code from ..} into {@code to}'s codes {@code at ..}. */
    void copy(int from, Codes to, int at, int count) {
        if (to.bytes() == bytes()) {
            System.arraycopy(array(), from, to.array(), at, count);
        } else {
            int[] run = new int[count];
            read(from, run, 0, count);
            to.write(at, run, 0, count);
        }
    }

    /** The backing array (byte[] or int[]). */
    abstract Object array();

    static final class Bytes extends Codes {
        private final byte[] codes;

        Bytes(byte[] codes) {
            this.codes = codes;
        }

        @Override
        int length() {
            return codes.length;
        }

        @Override
        boolean bytes() {
            return true;
        }

        @Override
        int get(int i) {
            return codes[i];
        }

        @Override
        int[] toInts() {
            int[] ints = new int[codes.length];
            read(0, ints, 0, codes.length);
            return ints;
        }

        @Override
        void read(int from, int[] to, int at, int count) {
            byte[] codes = this.codes;
            for (int i = 0; i < count; i++) {
                to[at + i] = codes[from + i];
            }
        }

        @Override
        void write(int at, int[] from, int src, int count) {
            byte[] codes = this.codes;
            for (int i = 0; i < count; i++) {
                codes[at + i] = (byte) from[src + i];
            }
        }

        @Override
        void toInt8(int from, int stride, byte[] rows, int at, int count) {
            if (stride == 1) {
                System.arraycopy(codes, from, rows, at, count);
                return;
            }
            byte[] codes = this.codes;
            for (int i = 0; i < count; i++) {
                rows[at + i] = codes[from + i * stride];
            }
        }

        @Override
        void toFloat32(int from, int stride, float[] rows, int at, int count) {
            byte[] codes = this.codes;
            if (stride == 1) {
                for (int i = 0; i < count; i++) {
                    rows[at + i] = codes[from + i];
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                rows[at + i] = codes[from + i * stride];
            }
        }

        @Override
        Object array() {
            return codes;
        }
    }

    static final class Ints extends Codes {
        private final int[] codes;

        Ints(int[] codes) {
            this.codes = codes;
        }

        @Override
        int length() {
            return codes.length;
        }

        @Override
        boolean bytes() {
            return false;
        }

        @Override
        int get(int i) {
            return codes[i];
        }

        @Override
        int[] toInts() {
            return codes;
        }

        @Override
        void read(int from, int[] to, int at, int count) {
            System.arraycopy(codes, from, to, at, count);
        }

        @Override
        void write(int at, int[] from, int src, int count) {
            System.arraycopy(from, src, codes, at, count);
        }

        @Override
        void toInt8(int from, int stride, byte[] rows, int at, int count) {
            int[] codes = this.codes;
            if (stride == 1) {
                for (int i = 0; i < count; i++) {
                    rows[at + i] = (byte) codes[from + i];
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                rows[at + i] = (byte) codes[from + i * stride];
            }
        }

        @Override
        void toFloat32(int from, int stride, float[] rows, int at, int count) {
            int[] codes = this.codes;
            if (stride == 1) {
                for (int i = 0; i < count; i++) {
                    rows[at + i] = codes[from + i];
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                rows[at + i] = codes[from + i * stride];
            }
        }

        @Override
        Object array() {
            return codes;
        }
    }
}
