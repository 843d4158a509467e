package xportdnn.sim;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The Java side of an ND4J column matrix: im2col writes codes into it (converted to the matrix's type as they are
 * written) and hands finished runs on to ND4J's memory in bulk. Int8 rows for the int8 product, float32 rows for the
 * float products; the window arithmetic that decides what goes where is {@link IntConvolution}'s, written once.
 */
abstract sealed class ColumnRows {

    /** Zeros elements {@code from .. to - 1}. */
    abstract void zero(int from, int to);

    /** {@code row[dst + i] = in(src + i * stride)} for i in 0..count-1. */
    abstract void copy(Codes in, int src, int stride, int dst, int count);

    /** Copies elements {@code from .. from + count - 1} into ND4J's matrix (same positions). */
    abstract void flush(int from, int count);

    /** Int8 rows (codes within -128..127, which the caller checked). */
    static final class Int8 extends ColumnRows {
        private final byte[] rows;
        private final ByteBuffer matrix;

        Int8(int size, ByteBuffer matrix) {
            rows = new byte[size];
            this.matrix = matrix;
        }

        @Override
        void zero(int from, int to) {
            Arrays.fill(rows, from, to, (byte) 0);
        }

        @Override
        void copy(Codes in, int src, int stride, int dst, int count) {
            in.toInt8(src, stride, rows, dst, count);
        }

        @Override
        void flush(int from, int count) {
            matrix.put(from, rows, from, count);
        }
    }

    /** Float32 rows (codes of at most 24 bits, exact as floats). */
    static final class Float32 extends ColumnRows {
        private final float[] rows;
        private final FloatBuffer matrix;

        Float32(int size, FloatBuffer matrix) {
            rows = new float[size];
            this.matrix = matrix;
        }

        @Override
        void zero(int from, int to) {
            Arrays.fill(rows, from, to, 0f);
        }

        @Override
        void copy(Codes in, int src, int stride, int dst, int count) {
            in.toFloat32(src, stride, rows, dst, count);
        }

        @Override
        void flush(int from, int count) {
            matrix.put(from, rows, from, count);
        }
    }
}
