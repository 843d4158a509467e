package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import xportdnn.precision.AveragePooling;
import xportdnn.precision.DynamicFixed;

/** The headroom of a DynamicFixed average pooling's format, on cases computed by hand. */
class PoolingHeadroomTest {

    /**
     * 8 bits. Largest calibration output 3.649 (ResNet-20's Pooling1): fl 5 holds up to 127.5 / 32 = 3.98, but not
     * 1.5 x 3.649 = 5.47, so one integer bit more: fl 4 (up to 7.97).
     */
    @Test
    void addsABitWhenTheMaximumIsNearTheLimit() {
        assertEquals(5, DynamicFixed.largestFl(-3.649, 3.649, 8));
        double t = PoolingHeadroom.threshold(3.649, 8);
        assertEquals(5.4735, t, 1e-9);
        assertEquals(4, DynamicFixed.largestFl(-t, t, 8));
    }

    /** 8 bits, largest output 2.5: 1.5 x 2.5 = 3.75 still fits fl 5 (3.98), so no bit is added. */
    @Test
    void keepsTheFormatWhenTheMaximumIsFarFromTheLimit() {
        double t = PoolingHeadroom.threshold(2.5, 8);
        assertEquals(5, DynamicFixed.largestFl(-2.5, 2.5, 8));
        assertEquals(5, DynamicFixed.largestFl(-t, t, 8));
    }

    /**
     * 6 bits: codes of 6 bits live in the device's 8-bit container. Largest output 3: 6-bit codes hold it at fl 3
     * (24 of 31), and the container holds 1.5 x 3 x 8 = 36 of 127: the codes' own range decides, nothing is added.
     */
    @Test
    void atSixBitsTheContainerAlreadyHasTheHeadroom() {
        assertEquals(3.0, PoolingHeadroom.threshold(3.0, 6), 0);
        assertEquals(3, DynamicFixed.largestFl(-3.0, 3.0, 6));
    }

    /**
     * The device's 2x2 DynamicFixed pooling from fl 0 into fl 0: m = 256 / 4 = 64, shift 8, so a window's code
     * sum S becomes floor(S / 4). S = 336 gives 84 (1.5 x 84 = 126 <= 127: holds); S = 340 gives 85, which does
     * not wrap but leaves less than the margin (127.5 > 127); S = -340 likewise. A Xilinx-mode pooling keeps its
     * input's scale and nothing chooses its format: the largest average, 127, holds as long as it does not wrap.
     */
    @Test
    void aPooledCodeHoldsWhenOneAndAHalfTimesItFitsTheContainer() {
        AveragePooling device = AveragePooling.dynamicFixed(2, 2, 0, 0, 8);
        assertEquals(84, device.quotient(336));
        assertTrue(PoolingHeadroom.holds(device, 336));
        assertFalse(device.wraps(340));
        assertFalse(PoolingHeadroom.holds(device, 340));
        assertFalse(PoolingHeadroom.holds(device, -340));
        assertTrue(device.wraps(4 * 128));
        AveragePooling xilinx = AveragePooling.xilinx(2, 8);
        assertTrue(PoolingHeadroom.holds(xilinx, 4 * 127));
    }
}
