package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class DoubleProductsTest {

    /** a = [[1, 2], [3, 4], [5, 6]] (3 x 2), b = [[1, 0, -1], [2, 1, 0], [0, 3, 1]] (3 x 3). */
    @Test
    void transposedTimesIsATransposeB() {
        double[] a = {1, 2, 3, 4, 5, 6};
        double[] b = {1, 0, -1, 2, 1, 0, 0, 3, 1};
        // column 1 of a: (1, 3, 5); column 2: (2, 4, 6)
        assertArrayEquals(new double[] {7, 18, 4, 10, 22, 4}, DoubleProducts.transposedTimes(a, b, 3, 2, 3), 1e-12);
    }

    /** a (2 x 3) times b (2 x 3) transposed: the dot products of their rows. */
    @Test
    void timesTransposedIsABTranspose() {
        double[] a = {1, 2, 3, 4, 5, 6};
        double[] b = {1, 0, -1, 0, 2, 1};
        assertArrayEquals(new double[] {-2, 7, -2, 16}, DoubleProducts.timesTransposed(a, 2, 3, b, 2), 1e-12);
    }
}
