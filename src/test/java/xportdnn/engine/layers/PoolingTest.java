package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.ramp;
import static xportdnn.engine.layers.Cases.run1;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.ModelException;

class PoolingTest {

    private static INDArray pool(String params, INDArray x) {
        return run1(layer("name: 'p' type: 'Pooling' pooling_param { " + params + " }"), x);
    }

    @Test
    void maxRoundsTheOutputSizeUpAndClipsTheLastWindow() {
        // 4x4 of -1..-16, kernel 3 stride 2: ceil((4-3)/2)+1 = 2; the second windows cover only rows/cols 2..3.
        // Negative values: a zero-padded last window would wrongly give 0.
        INDArray y = pool("pool: MAX kernel_size: 3 stride: 2", array(ramp(16, -1, -1), 1, 1, 4, 4));
        assertShape(y, 1, 1, 2, 2);
        assertValues(new float[] {-1, -3, -9, -11}, y, 0);
    }

    @Test
    void floorRoundModeDropsThePartialWindow() {
        INDArray y = pool("pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR", array(ramp(16, -1, -1), 1, 1, 4, 4));
        assertShape(y, 1, 1, 1, 1);
        assertValues(new float[] {-1}, y, 0);
    }

    @Test
    void maxWindowStartingPastTheInputIsRefusedNamingTheLayer() {
        // 1x4, kernel 1 stride 2 (stride > kernel), no pad: ceil((4-1)/2)+1 = 3 windows at columns 0, 2, 4; Caffe drops
        // a window that starts past the input only when there is padding, so the third pools nothing (Caffe: -FLT_MAX)
        assertRefused("MAX");
    }

    @Test
    void averageWindowStartingPastTheInputIsRefusedNamingTheLayer() {
        // the same geometry averaged: Caffe computes 0/0; refused when the op is made, not reported as an overflow
        assertRefused("AVE");
    }

    private static void assertRefused(String method) {
        ModelException e = assertThrows(ModelException.class, () -> Layers.create(layer("name: 'p' type: 'Pooling' "
                + "pooling_param { pool: " + method + " kernel_size: 1 stride: 2 }"), List.of(new int[] {1, 1, 1, 4})));
        assertEquals("layer 'p': Pooling's last window along the columns starts past the 4-column input (3 windows, "
                + "stride 2 > kernel 1, rounded up) and holds no input value (Caffe outputs -FLT_MAX there for MAX, "
                + "0/0 = NaN for AVE); use round_mode: FLOOR or a kernel at least the stride", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void maxWithPaddingIgnoresThePadding() {
        // 3x3 of -1..-9, kernel 2 stride 2 pad 1: windows {-1}, {-2,-3}, {-4,-7}, {-5,-6,-8,-9}
        INDArray y = pool("pool: MAX kernel_size: 2 stride: 2 pad: 1", array(ramp(9, -1, -1), 1, 1, 3, 3));
        assertShape(y, 1, 1, 2, 2);
        assertValues(new float[] {-1, -2, -4, -5}, y, 0);
    }

    @Test
    void averageDividesByTheWindowClippedToThePaddedInput() {
        // 4x4, kernel 3, stride 2, pad 1 -> 3x3 output. Window rows: [-1,2) size 3 (2 real rows), [1,4) size 3
        // (3 real), [3,6) clipped to [3,5) size 2 (1 real row). All-ones input shows the divisors.
        float[] ones = new float[16];
        Arrays.fill(ones, 1);
        INDArray y = pool("pool: AVE kernel_size: 3 stride: 2 pad: 1", array(ones, 1, 1, 4, 4));
        assertShape(y, 1, 1, 3, 3);
        float a = 2f / 3;
        float b = 1f;
        float c = 1f / 2;
        assertValues(new float[] {a * a, a * b, a * c, b * a, b * b, b * c, c * a, c * b, c * c}, y, 1e-6);
    }

    @Test
    void averageSumsOnlyTheRealValues() {
        // same geometry on 1..16: top-left window sums 1+2+5+6 over 9; bottom-right holds only 16, over 4
        INDArray y = pool("pool: AVE kernel_size: 3 stride: 2 pad: 1", array(ramp(16, 1, 1), 1, 1, 4, 4));
        float[] v = Tensors.floats(y);
        assertValues(new float[] {14f / 9, 16f / 4}, array(new float[] {v[0], v[8]}, 2), 1e-6);
        // middle window rows 1..3, cols 1..3: 6+7+8+10+11+12+14+15+16 = 99 over 9
        assertValues(new float[] {11}, array(new float[] {v[4]}, 1), 1e-6);
    }

    @Test
    void averageWithoutPaddingButCeilDividesByTheClippedWindow() {
        // 3x3 of 1..9, kernel 2 stride 2, no pad: ceil((3-2)/2)+1 = 2; the last windows hold 2 or 1 values and,
        // with no padding to count, Caffe divides by what lies inside the input
        INDArray y = pool("pool: AVE kernel_size: 2 stride: 2", array(ramp(9, 1, 1), 1, 1, 3, 3));
        assertShape(y, 1, 1, 2, 2);
        assertValues(new float[] {(1 + 2 + 4 + 5) / 4f, (3 + 6) / 2f, (7 + 8) / 2f, 9}, y, 1e-6);
    }

    @Test
    void globalPoolingCoversEachChannel() {
        INDArray x = array(new float[] {1, 2, 3, 4, 5, 6, -6, -5, -4, -3, -2, -1}, 1, 2, 2, 3);
        INDArray avg = pool("pool: AVE global_pooling: true", x);
        assertShape(avg, 1, 2, 1, 1);
        assertValues(new float[] {3.5f, -3.5f}, avg, 1e-6);
        assertValues(new float[] {6, -1}, pool("pool: MAX global_pooling: true", x), 0);
    }

    @Test
    void separateHeightAndWidthGeometry() {
        // 2x4 of 1..8, kernel 1x2, stride 1x2: pairs along each row
        INDArray y = pool("pool: MAX kernel_h: 1 kernel_w: 2 stride_h: 1 stride_w: 2", array(ramp(8, 1, 1), 1, 1, 2, 4));
        assertShape(y, 1, 1, 2, 2);
        assertValues(new float[] {2, 4, 6, 8}, y, 0);
    }
}
