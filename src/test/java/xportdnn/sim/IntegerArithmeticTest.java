package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PoolingParameter.RoundMode;
import xportdnn.precision.AveragePooling;

/** The simulator's pooling on codes, against hand-computed values. */
class IntegerArithmeticTest {

    private static Codes bytes(int[] codes) {
        return Codes.narrowest(codes, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    private static IntPooling pooling(String pool, int[] shape) {
        LayerParameter p = TestWeights.definition("layer { name: \"p\" type: \"Pooling\" bottom: \"x\" top: \"y\" "
                + "pooling_param { " + pool + " } }").getLayer(0);
        PoolGeometry window = PoolGeometry.of(p, shape);
        return new IntPooling(window, RoundMode.CEIL, shape,
                pool.contains("MAX") ? null : List.of(AveragePooling.xilinx(window.kernelH(), 8)), 127);
    }

    /**
     * 3x3 windows, stride 2, pad 1 over 1..16 in 4x4: 3x3 outputs. MAX over the real pixels. AVE as the device
     * computes it: the window's sum (padding adds 0) times floor(2^16 / 9) = 7281, shifted right by 16 (floor), the
     * kernel's 9 as divisor even for windows mostly over padding. Sums 14 30 12 / 57 99 36 / 27 45 16: e.g.
     * 99 x 7281 / 2^16 = 10.9988 -> 10 where 99 / 9 = 11, and 14 x 7281 / 2^16 = 1.56 -> 1 where Caffe gives 14 / 4.
     */
    @Test
    void paddedPoolingOnCodes() {
        int[] in = new int[16];
        for (int i = 0; i < 16; i++) {
            in[i] = i + 1;
        }
        int[] shape = {1, 1, 4, 4};
        assertArrayEquals(new int[] {6, 8, 8, 14, 16, 16, 14, 16, 16},
                pooling("pool: MAX kernel_size: 3 stride: 2 pad: 1", shape).forward(bytes(in), 1).toInts());
        assertArrayEquals(new int[] {1, 3, 1, 6, 10, 3, 2, 4, 1},
                pooling("pool: AVE kernel_size: 3 stride: 2 pad: 1", shape).forward(bytes(in), 1).toInts());
    }

    /**
     * Xilinx mode, a 13x13 global average whose exact mean is 100.5: 16985 x floor(2^16 / 169) = 387 / 2^16 =
     * 100.30, floored to 100; the negated sum floors to -101.
     */
    @Test
    void globalAverageUsesTheTruncatedReciprocalAndFloors() {
        int[] in = new int[169];
        for (int i = 0; i < 169; i++) {
            in[i] = i < 85 ? 101 : 100; // sum 16985
        }
        assertArrayEquals(new int[] {100}, pooling("pool: AVE global_pooling: true", new int[] {1, 1, 13, 13})
                .forward(bytes(in), 1).toInts());
        int[] negative = java.util.Arrays.stream(in).map(v -> -v).toArray();
        assertArrayEquals(new int[] {-101}, pooling("pool: AVE global_pooling: true", new int[] {1, 1, 13, 13})
                .forward(Codes.of(negative), 1).toInts());
    }

    /**
     * DynamicFixed mode, 15x15 global average: multiplier floor(256 / 225) = 1, shift fl_in + 8 - fl_out. From
     * fl -1 to fl 1 (shift 6): codes of 20 sum to 4500, 4500 / 64 = 70.3 -> 70, i.e. 35.0 for a true mean of 40
     * (the truncated multiplier costs 12%); codes of 100 give 351, whose low byte 95 is what the device writes.
     */
    @Test
    void dynamicFixedAverageWritesTheOutputFormatAndWraps() {
        AveragePooling a = AveragePooling.dynamicFixed(15, 15, -1, 1, 8);
        assertEquals(new AveragePooling(1, 1, 6, true, 8), a);
        assertEquals(70, a.apply(225 * 20));
        assertEquals(95, a.apply(225 * 100));
        assertEquals(-71, a.apply(-225 * 20)); // floor(-70.3)
        // 225 x 100 >> 6 = 351 does not fit the byte: wrapped, as wraps() says; 70 and -71 did not wrap
        assertEquals(java.util.List.of(false, true, false),
                java.util.List.of(a.wraps(225 * 20), a.wraps(225 * 100), a.wraps(-225 * 20)));
        // 3x3: 256 / 9 = 28.4 -> 28; a 2-pixel window's 128 is -128 as the engine's signed byte
        assertEquals(28, AveragePooling.dynamicFixed(3, 3, 0, 0, 8).multiplier());
        assertEquals(-128, AveragePooling.dynamicFixed(1, 2, 0, 0, 6).multiplier());
        assertEquals(0, AveragePooling.xilinx(1, 8).scale()); // 2^16 does not fit the 16-bit scale
        // a 16-bit format (no device runs one) gets a 16-bit container: 225 codes of 1000 from fl 0 to fl 0
        assertEquals(878, AveragePooling.dynamicFixed(15, 15, 0, 0, 16).apply(225 * 1000)); // 225000 / 256
    }

    /**
     * Random MAX poolings (kernel 1..4 per axis, stride 1..3, padding below the kernel, CEIL and FLOOR, batches of
     * several channels) against Caffe's window loop written out here: window rows oh x stride - pad .. + kernel,
     * clipped to the input, the largest code in it; a geometry whose last window holds no input is refused. Codes
     * of 8 bits go in as bytes (pooled in bytes), codes of the whole int range take the plain maximum.
     */
    @Test
    void maxPoolingEqualsCaffesWindowLoop() {
        java.util.Random r = new java.util.Random(7);
        int refusals = 0;
        for (int trial = 0; trial < 300; trial++) {
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            int ph = r.nextInt(kh);
            int pw = r.nextInt(kw);
            // every other plane wide enough for the byte path's eight-lane maxima to run besides its tail
            int[] shape = {1 + r.nextInt(3), 1 + r.nextInt(4), kh + r.nextInt(12),
                    kw + r.nextInt(trial % 2 == 0 ? 12 : 40)};
            boolean wide = trial % 3 == 0;
            RoundMode mode = r.nextBoolean() ? RoundMode.CEIL : RoundMode.FLOOR;
            LayerParameter p = TestWeights.definition("layer { name: \"p\" type: \"Pooling\" bottom: \"x\" top: \"y\" "
                    + "pooling_param { pool: MAX kernel_h: " + kh + " kernel_w: " + kw + " stride_h: " + sh
                    + " stride_w: " + sw + " pad_h: " + ph + " pad_w: " + pw + " round_mode: " + mode + " } }")
                    .getLayer(0);
            IntPooling pooling;
            try {
                pooling = new IntPooling(PoolGeometry.of(p, shape), mode, shape, null, wide ? 1L << 31 : 128);
            } catch (ModelException refused) { // only a window past the input: no padding, rounded up, stride > kernel
                assertTrue(ph == 0 && pw == 0 && mode == RoundMode.CEIL && (sh > kh || sw > kw), refused.getMessage());
                refusals++;
                continue;
            }
            int[] in = new int[shape[0] * shape[1] * shape[2] * shape[3]];
            for (int i = 0; i < in.length; i++) {
                in[i] = wide ? r.nextInt() : r.nextInt(256) - 128;
            }
            int[] out = pooling.outputShape(shape[0]);
            int[] expected = new int[out[0] * out[1] * out[2] * out[3]];
            int e = 0;
            for (int plane = 0; plane < shape[0] * shape[1]; plane++) {
                for (int oh = 0; oh < out[2]; oh++) {
                    for (int ow = 0; ow < out[3]; ow++) {
                        int h0 = oh * sh - ph;
                        int w0 = ow * sw - pw;
                        int m = Integer.MIN_VALUE;
                        for (int h = Math.max(h0, 0); h < Math.min(h0 + kh, shape[2]); h++) {
                            for (int w = Math.max(w0, 0); w < Math.min(w0 + kw, shape[3]); w++) {
                                m = Math.max(m, in[(plane * shape[2] + h) * shape[3] + w]);
                            }
                        }
                        expected[e++] = m;
                    }
                }
            }
            int t = trial;
            // narrow codes go in and come out as bytes, wide ones as ints
            Codes pooled = pooling.forward(wide ? Codes.of(in) : bytes(in), shape[0]);
            assertEquals(!wide, pooled.bytes(), () -> "trial " + t + ": storage");
            assertArrayEquals(expected, pooled.toInts(), () -> "trial " + t + ": " + p);
        }
        assertTrue(refusals > 0, "no trial met a window past the input");
    }
}
