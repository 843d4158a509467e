package xportdnn.tune;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products in double on ND4J, from and into Java arrays (row-major). Every native array made on the way is
 * freed before returning: ND4J's native memory counts against no Java heap, so left to the garbage collector it
 * piled up (VGG-16's fast finetune grew past 17 GB resident in its first pass, where a 4608 x 4608 gram is 170 MB).
 * The transposes go to the product as flags rather than as views.
 */
final class DoubleProducts {

    private DoubleProducts() {
    }

    /** {@code a^T b} of {@code a} (rows x k) and {@code b} (rows x m): k x m. */
    static double[] transposedTimes(double[] a, double[] b, int rows, int k, int m) {
        return product(a, rows, k, true, b, rows, m, false);
    }

    /** {@code a b^T} of {@code a} (rows x k) and {@code b} (count x k): rows x count. */
    static double[] timesTransposed(double[] a, int rows, int k, double[] b, int count) {
        return product(a, rows, k, false, b, count, k, true);
    }

    /** {@code op(a) op(b)} of {@code a} (aRows x aColumns) and {@code b} (bRows x bColumns), op a transpose or not. */
    private static double[] product(double[] a, int aRows, int aColumns, boolean transposeA, double[] b, int bRows,
                                    int bColumns, boolean transposeB) {
        INDArray left = Nd4j.create(a, new long[] {aRows, aColumns}, DataType.DOUBLE);
        INDArray right = Nd4j.create(b, new long[] {bRows, bColumns}, DataType.DOUBLE);
        try {
            return values(Nd4j.gemm(left, right, transposeA, transposeB));
        } finally {
            left.close();
            right.close();
        }
    }

    /** The product's values in C order; the product and its copy are freed. */
    private static double[] values(INDArray product) {
        INDArray dense = product.dup('c');
        try {
            return dense.data().asDouble();
        } finally {
            dense.close();
            product.close();
        }
    }
}
