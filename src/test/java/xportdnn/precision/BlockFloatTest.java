package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/** Block floating point (algorithms.md E) against hand-computed cases. */
class BlockFloatTest {

    /** max 0.9: e = floor(log2 0.9) = -1; 8-bit mantissa: step 2^(-1-8+2) = 2^-7, range 127/128. */
    @Test
    void exponentStepAndRangeOfABlock() {
        assertEquals(-1, BlockFloat.exponent(0.9));
        assertEquals(3, BlockFloat.exponent(8.0));
        assertEquals(0.0078125, BlockFloat.step(-1, 8));
        assertEquals(0.9921875, BlockFloat.threshold(-1, 8));
        assertEquals(3.5, BlockFloat.threshold(1, 4)); // (2^3 - 1) x 2^(1-4+2)
    }

    @Test
    void mantissasRoundHalfAwayAndClampSymmetrically() {
        assertEquals(64, BlockFloat.quantize(0.5, -1, 8));
        assertEquals(2, BlockFloat.quantize(1.5 * 0.0078125, -1, 8)); // half away from zero
        assertEquals(-2, BlockFloat.quantize(-1.5 * 0.0078125, -1, 8));
        assertEquals(-127, BlockFloat.quantize(-1.0, -1, 8)); // -(2^7 - 1), not -128
        assertEquals(7, BlockFloat.quantize(100, 1, 4));
    }

    /** The smallest exponent whose range holds a threshold: 127/128 -> -1, just above it -> 0, 0.5 -> -1. */
    @Test
    void theCoveringExponent() {
        assertEquals(-1, BlockFloat.exponentCovering(0.9921875, 8));
        assertEquals(0, BlockFloat.exponentCovering(0.9921876, 8));
        assertEquals(-1, BlockFloat.exponentCovering(0.5, 8));
        assertEquals(-2, BlockFloat.exponentCovering(0.496, 8)); // 127/256 = 0.49609375 holds it
    }

    /** The Xilinx format with the block's threshold gives the same codes: BFP runs on the device's arithmetic. */
    @Test
    void theXilinxFormatWithThePowerOfTwoThresholdIsTheSameQuantizer() {
        for (int m : new int[] {4, 6, 8}) {
            for (int e = -6; e <= 2; e++) {
                ThresholdFormat f = new ThresholdFormat(m, (float) BlockFloat.threshold(e, m));
                assertEquals(BlockFloat.step(e, m), f.step(0), 0);
                for (double x = -9; x <= 9; x += 0.0137) {
                    assertEquals(BlockFloat.quantize((float) x, e, m), f.quantize((float) x, 0), "m " + m + " e " + e
                            + " x " + x);
                }
            }
        }
    }

    /**
     * A pooled blob is a block of its own: a 2x2 global average from exponent 6 (8-bit mantissas: step 1,
     * threshold 127) into exponent 1 (step 2^-5, threshold 3.96875) is the device's factors m = 1,
     * a = 2^16 / 4 = 16384 and the shift 16 - (6 - 1) = 11. Codes 1, 2, 3, 4 (sum 10) average 2.5, 80 steps of
     * 2^-5: 10 x 16384 / 2^11 = 80; sum 11 (2.75) gives 88. A threshold off the grid is refused.
     */
    @Test
    void averagePoolingWritesThePooledBlobInItsOwnExponent() {
        Layer pool = new Layer(TestWeights.definition("layer { name: \"p\" type: \"Pooling\" bottom: \"x\" "
                + "top: \"y\" pooling_param { pool: AVE global_pooling: true } }").getLayer(0), List.of(), List.of());
        PoolGeometry window = PoolGeometry.of(pool.param(), new int[] {1, 1, 2, 2});
        PrecisionParameter block = PrecisionParameter.newBuilder().setBwLayerIn(8).setBwLayerOut(8)
                .setThLayerIn(127).setThLayerOut(3.96875f).build();
        AveragePooling a = new BlockFloatScheme().averagePooling(pool, block, window);
        assertEquals(List.of(1, 16384, 11), List.of(a.multiplier(), a.scale(), a.shift()));
        assertTrue(a.rescales());
        assertEquals(80, a.apply(10));
        assertEquals(88, a.apply(11));
        PrecisionParameter offGrid = block.toBuilder().setThLayerOut(3.9f).build();
        assertThrows(ModelException.class, () -> new BlockFloatScheme().averagePooling(pool, offGrid, window));
    }

    /**
     * BFP's pooled mantissas round half away from zero (algorithms.md E), where the device's pooling floors: a 2x2
     * average within one exponent (scale 16,384, shift 16) of codes summing 10 is 2.5: 3 (the device 2); 9, 2.25:
     * 2; -10, -2.5: -3; -9, -2.25: -2 (the device -3). A sum of 510 (127.5) rounds to 128, past the 8-bit
     * container: it wraps (the device's floor, 127, fits); 509 (127.25) gives 127.
     */
    @Test
    void pooledMantissasRoundHalfAwayWhereTheDeviceFloors() {
        AveragePooling bfp = AveragePooling.blockFloat(4, 16, 8);
        AveragePooling device = AveragePooling.xilinx(2, 8);
        assertEquals(List.of(3, 2, -3, -2), List.of(bfp.apply(10), bfp.apply(9), bfp.apply(-10), bfp.apply(-9)));
        assertEquals(List.of(2, 2, -3, -3),
                List.of(device.apply(10), device.apply(9), device.apply(-10), device.apply(-9)));
        assertTrue(bfp.wraps(510));
        assertEquals(-128, bfp.apply(510));
        assertFalse(device.wraps(510));
        assertFalse(bfp.wraps(509));
        assertEquals(127, bfp.apply(509));
    }

    /**
     * A convolution's bias keeps 8 fractional bits of an output code in bfp's formats, where CHaiDNN's runtime rounds
     * it to whole codes. Input and weight steps 1 (threshold 127), output step 2 (threshold 254), so the multiplier
     * is 2^21 (a half). Accumulator 1 with bias -0.4: exactly (1 - 0.4) / 2 = 0.3, code 0; the bias rounded to whole
     * codes (-0.2 to 0) gives 0.5, code 1. Fractional: -0.2 x 256 = -51.2, kept as -51/256, and 0.5 - 51/256 =
     * 0.30 gives 0. Accumulator -1 with bias 0.4: exactly -0.3, code 0; whole codes -0.5, code -1 (half away).
     */
    @Test
    void aFractionalBiasIsAddedBeforeTheOutputRounds() {
        ThresholdFormat unit = new ThresholdFormat(8, 127f);
        ThresholdFormat device = new ThresholdFormat(8, 254f);
        ThresholdFormat fractional = device.withFractionalBias();
        assertEquals(1, device.fromProducts(unit, unit, new float[] {-0.4f}).apply(1, 0));
        assertEquals(0, fractional.fromProducts(unit, unit, new float[] {-0.4f}).apply(1, 0));
        assertEquals(-1, device.fromProducts(unit, unit, new float[] {0.4f}).apply(-1, 0));
        assertEquals(0, fractional.fromProducts(unit, unit, new float[] {0.4f}).apply(-1, 0));
        // whole-code biases and the codes themselves are the same in both
        assertEquals(device.fromProducts(unit, unit, new float[] {4f}).apply(7, 0),
                fractional.fromProducts(unit, unit, new float[] {4f}).apply(7, 0));
        assertEquals(device.quantize(3.3f, 0), fractional.quantize(3.3f, 0));
    }
}
