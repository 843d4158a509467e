package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.create;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.run1;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;

class ConvolutionTest {

    @Test
    void groupedConvolutionSeesOnlyItsGroupsChannels() {
        // channel 0 is all 1, channel 1 all 10; group 0 owns channel 0, group 1 channel 1
        INDArray x = array(new float[] {1, 1, 1, 1, 10, 10, 10, 10}, 1, 2, 2, 2);
        INDArray y = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 2 kernel_size: 1 group: 2 }",
                blob(new int[] {2, 1, 1, 1}, 2, 3), blob(0.5f, -1)), x);
        assertShape(y, 1, 2, 2, 2);
        assertValues(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 29, 29, 29, 29}, y, 0);
    }

    @Test
    void depthwiseWithMultiplierKeepsCaffesOutputChannelOrder() {
        // 2 groups of 1 input channel and 2 outputs each: output 2c+j is input c times filter 2c+j
        INDArray x = array(new float[] {1, 10}, 1, 2, 1, 1);
        INDArray y = run1(layer("name: 'dw' type: 'Convolution' convolution_param { num_output: 4 kernel_size: 1 group: 2 "
                + "bias_term: false }", blob(new int[] {4, 1, 1, 1}, 1, 2, 3, 4)), x);
        assertValues(new float[] {1, 2, 30, 40}, y, 0);
    }

    /**
     * An op for another thread convolves with the same weight arrays into buffers of its own: a padded 1x1 (framed
     * with the bias, {@link PaddedPointwise}), weight 2, bias 1, over 2x2 inputs.
     */
    @Test
    void sharingWeightsUsesTheSameArraysAndItsOwnBuffers() {
        Layer layer = layer("name: 'c' type: 'Convolution' convolution_param { num_output: 1 kernel_size: 1 pad: 1 }",
                blob(new int[] {1, 1, 1, 1}, 2), blob(1));
        Convolution op = (Convolution) create(layer, 1, 1, 2, 2);
        Convolution other = (Convolution) op.sharingWeights();
        assertEquals(op.weights().size(), other.weights().size());
        for (int g = 0; g < op.weights().size(); g++) {
            assertSame(op.weights().get(g), other.weights().get(g));
        }
        INDArray y = op.forward(List.of(array(new float[] {1, 2, 3, 4}, 1, 1, 2, 2))).get(0);
        INDArray z = other.forward(List.of(array(new float[] {0, 0, 0, 1}, 1, 1, 2, 2))).get(0);
        assertValues(new float[] {1, 1, 1, 1, 1, 3, 5, 1, 1, 7, 9, 1, 1, 1, 1, 1}, y, 0); // not overwritten by z's pass
        assertValues(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1}, z, 0);
    }

    @Test
    void threeByThreeWithPaddingMatchesHandComputedSums() {
        // all-ones 3x3 kernel over 1..9 with pad 1: each output is the sum of its neighbourhood
        INDArray x = array(Cases.ramp(9, 1, 1), 1, 1, 3, 3);
        float[] ones = new float[9];
        java.util.Arrays.fill(ones, 1);
        INDArray y = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 1 kernel_size: 3 pad: 1 }",
                blob(new int[] {1, 1, 3, 3}, ones), blob(100)), x);
        assertValues(new float[] {112, 121, 116, 127, 145, 133, 124, 139, 128}, y, 0);
    }

    @Test
    void separateHeightWidthGeometryDilationAndGroupsMatchTheDefinition() {
        Random random = new Random(7);
        int n = 2;
        int c = 4;
        int h = 9;
        int w = 7;
        int outputs = 6;
        int group = 2;
        Geometry g = new Geometry(3, 2, 2, 1, 1, 0, 2, 1);
        float[] input = gaussian(random, n * c * h * w);
        float[] weights = gaussian(random, outputs * (c / group) * g.kh * g.kw);
        float[] bias = gaussian(random, outputs);
        INDArray y = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 6 group: 2 kernel_h: 3 "
                + "kernel_w: 2 stride_h: 2 stride_w: 1 pad_h: 1 pad_w: 0 dilation: 2 dilation: 1 }",
                blob(new int[] {outputs, c / group, g.kh, g.kw}, weights), blob(bias)), array(input, n, c, h, w));
        int oh = (h + 2 * g.ph - (g.dh * (g.kh - 1) + 1)) / g.sh + 1;
        int ow = (w + 2 * g.pw - (g.dw * (g.kw - 1) + 1)) / g.sw + 1;
        assertShape(y, n, outputs, oh, ow);
        assertValues(naive(input, n, c, h, w, weights, bias, outputs, group, g, oh, ow), y, 1e-5);
    }

    /**
     * A factorised dilated kernel (3x1 and 1x3, dilation 2, as ERFNet's): the one-tap axis made the dilation spread
     * fail inside ND4J (found by the OpenCV cross-check's random geometries).
     */
    @Test
    void dilatedKernelOfOneTapAlongAnAxisMatchesTheDefinition() {
        Random random = new Random(11);
        int n = 1;
        int c = 2;
        int h = 7;
        int w = 6;
        float[] input = gaussian(random, n * c * h * w);
        for (Geometry g : List.of(new Geometry(3, 1, 1, 1, 2, 0, 2, 2), new Geometry(1, 3, 1, 2, 0, 2, 2, 2))) {
            float[] weights = gaussian(random, 3 * c * g.kh() * g.kw());
            float[] bias = gaussian(random, 3);
            INDArray y = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 3 kernel_h: " + g.kh()
                    + " kernel_w: " + g.kw() + " stride_h: " + g.sh() + " stride_w: " + g.sw() + " pad_h: " + g.ph()
                    + " pad_w: " + g.pw() + " dilation: 2 }", blob(new int[] {3, c, g.kh(), g.kw()}, weights),
                    blob(bias)), array(input, n, c, h, w));
            int oh = (h + 2 * g.ph() - (g.dh() * (g.kh() - 1) + 1)) / g.sh() + 1;
            int ow = (w + 2 * g.pw() - (g.dw() * (g.kw() - 1) + 1)) / g.sw() + 1;
            assertShape(y, n, 3, oh, ow);
            assertValues(naive(input, n, c, h, w, weights, bias, 3, 1, g, oh, ow), y, 1e-5);
        }
    }

    @Test
    void depthwiseThreeByThreeWithMultiplierStridePadAndDilationMatchesTheDefinition() {
        Random random = new Random(5);
        int n = 2;
        int c = 3;
        int h = 8;
        int w = 9;
        int outputs = 6; // 2 filters per input channel
        Geometry g = new Geometry(3, 3, 2, 1, 1, 2, 1, 2);
        float[] input = gaussian(random, n * c * h * w);
        float[] weights = gaussian(random, outputs * g.kh * g.kw);
        float[] bias = gaussian(random, outputs);
        INDArray y = run1(layer("name: 'dw' type: 'Convolution' convolution_param { num_output: 6 group: 3 kernel_size: 3 "
                + "stride_h: 2 stride_w: 1 pad_h: 1 pad_w: 2 dilation: 1 dilation: 2 }",
                blob(new int[] {outputs, 1, 3, 3}, weights), blob(bias)), array(input, n, c, h, w));
        int oh = (h + 2 * g.ph - (g.dh * (g.kh - 1) + 1)) / g.sh + 1;
        int ow = (w + 2 * g.pw - (g.dw * (g.kw - 1) + 1)) / g.sw + 1;
        assertShape(y, n, outputs, oh, ow);
        assertValues(naive(input, n, c, h, w, weights, bias, outputs, c, g, oh, ow), y, 1e-5);
    }

    /**
     * Random depthwise layers ({@link DepthwiseKernel}): 2 to 40 channels, channel multiplier 1 (most) or 2, kernels
     * of 1 to 5 per axis, stride 1 or 2 per axis, padding up to the kernel, dilation 1 or 2, odd and even planes, 1
     * to 3 images, with and without bias; the larger ones split across threads.
     */
    @Test
    void depthwiseOfRandomGeometriesMatchesTheDefinition() {
        Random random = new Random(17);
        for (int i = 0; i < 40; i++) {
            int n = 1 + random.nextInt(3);
            int c = 2 + random.nextInt(39);
            int multiplier = random.nextInt(4) == 0 ? 2 : 1;
            int outputs = c * multiplier;
            int kh = 1 + random.nextInt(5);
            int kw = 1 + random.nextInt(5);
            Geometry g = new Geometry(kh, kw, 1 + random.nextInt(2), 1 + random.nextInt(2), random.nextInt(kh + 1),
                    random.nextInt(kw + 1), 1 + random.nextInt(2), 1 + random.nextInt(2));
            int h = g.dh * (kh - 1) + 1 + random.nextInt(40);
            int w = g.dw * (kw - 1) + 1 + random.nextInt(40);
            boolean biasTerm = random.nextBoolean();
            float[] input = gaussian(random, n * c * h * w);
            float[] weights = gaussian(random, outputs * kh * kw);
            float[] bias = biasTerm ? gaussian(random, outputs) : new float[outputs];
            String param = "name: 'dw' type: 'Convolution' convolution_param { num_output: " + outputs + " group: " + c
                    + " kernel_h: " + kh + " kernel_w: " + kw + " stride_h: " + g.sh + " stride_w: " + g.sw + " pad_h: "
                    + g.ph + " pad_w: " + g.pw + " dilation: " + g.dh + " dilation: " + g.dw + " bias_term: " + biasTerm
                    + " }";
            Layer layer = biasTerm ? layer(param, blob(new int[] {outputs, 1, kh, kw}, weights), blob(bias))
                    : layer(param, blob(new int[] {outputs, 1, kh, kw}, weights));
            INDArray y = run1(layer, array(input, n, c, h, w));
            int oh = (h + 2 * g.ph - (g.dh * (kh - 1) + 1)) / g.sh + 1;
            int ow = (w + 2 * g.pw - (g.dw * (kw - 1) + 1)) / g.sw + 1;
            assertShape(y, n, outputs, oh, ow);
            assertValues(naive(input, n, c, h, w, weights, bias, outputs, c, g, oh, ow), y, 1e-5);
        }
    }

    @Test
    void paddedOneByOneHoldsTheBiasAroundTheDefinitionsInterior() {
        // the ring within the padding sees only zeros: bias alone, as the definition's sum over no input gives
        Random random = new Random(11);
        int n = 3;
        int c = 5;
        int h = 4;
        int w = 6;
        int outputs = 7;
        Geometry g = new Geometry(1, 1, 1, 1, 2, 1, 1, 1);
        float[] input = gaussian(random, n * c * h * w);
        float[] weights = gaussian(random, outputs * c);
        float[] bias = gaussian(random, outputs);
        LayerOp op = create(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 7 kernel_size: 1 "
                + "pad_h: 2 pad_w: 1 }", blob(new int[] {outputs, c, 1, 1}, weights), blob(bias)), n, c, h, w);
        INDArray x = array(input, n, c, h, w);
        float[] expected = naive(input, n, c, h, w, weights, bias, outputs, 1, g, h + 4, w + 2);
        INDArray y = op.forward(List.of(x)).get(0);
        assertShape(y, n, outputs, h + 4, w + 2);
        assertValues(expected, y, 1e-5);
        assertEquals(bias[3], y.getFloat(2, 3, 0, 4), 0, "a padding row holds the bias exactly");
        assertEquals(bias[6], y.getFloat(1, 6, 3, 0), 0, "a padding column holds the bias exactly");
        y.assign(-99); // as an in-place layer after it would: the next pass writes the ring again
        assertValues(expected, op.forward(List.of(x)).get(0), 1e-5);
    }

    @Test
    void paddedOneByOneWithoutBiasHoldsZerosAroundTheInterior() {
        Random random = new Random(12);
        float[] input = gaussian(random, 2 * 3 * 3 * 3);
        float[] weights = gaussian(random, 4 * 3);
        INDArray y = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 4 kernel_size: 1 pad: 1 "
                + "bias_term: false }", blob(new int[] {4, 3, 1, 1}, weights)), array(input, 2, 3, 3, 3));
        assertValues(naive(input, 2, 3, 3, 3, weights, new float[4], 4, 1, new Geometry(1, 1, 1, 1, 1, 1, 1, 1), 5, 5), y,
                1e-5);
    }

    /**
     * An unpadded 1x1 convolution, with and without bias, runs as a matrix product ({@link PointwiseProduct}) when
     * small and as conv2d when large (here 2 x 72 x 72 positions x 64 x 64 weights: 42.5 million multiply-adds): both
     * match the definition.
     */
    @Test
    void oneByOneMatchesTheDefinitionOnEitherSideOfTheProductsBound() {
        Random random = new Random(13);
        int n = 2;
        int c = 64;
        int outputs = 64;
        Geometry g = new Geometry(1, 1, 1, 1, 0, 0, 1, 1);
        for (int side : new int[] {7, 72}) {
            long positions = (long) n * side * side;
            assertEquals(side == 72, positions * c * outputs > NativeCall.ONE_THREAD_MAX_MULTIPLY_ADDS
                    && positions > PointwiseProduct.MAX_POSITIONS, "both paths are covered");
            float[] input = gaussian(random, n * c * side * side);
            float[] weights = gaussian(random, outputs * c);
            float[] bias = gaussian(random, outputs);
            INDArray withBias = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 64 "
                    + "kernel_size: 1 }", blob(new int[] {outputs, c, 1, 1}, weights), blob(bias)),
                    array(input, n, c, side, side));
            assertShape(withBias, n, outputs, side, side);
            assertValues(naive(input, n, c, side, side, weights, bias, outputs, 1, g, side, side), withBias, 1e-5);
            INDArray without = run1(layer("name: 'c' type: 'Convolution' convolution_param { num_output: 64 "
                    + "kernel_size: 1 bias_term: false }", blob(new int[] {outputs, c, 1, 1}, weights)),
                    array(input, n, c, side, side));
            assertValues(naive(input, n, c, side, side, weights, new float[outputs], outputs, 1, g, side, side), without,
                    1e-5);
        }
    }

    record Geometry(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    }

    static float[] gaussian(Random random, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** Caffe's convolution written out as the definition: one output value at a time. */
    private static float[] naive(float[] x, int n, int c, int h, int w, float[] wt, float[] b, int outputs, int group,
            Geometry g, int oh, int ow) {
        int cg = c / group;
        int og = outputs / group;
        float[] y = new float[n * outputs * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < outputs; o++) {
                int grp = o / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = b[o];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < g.kh; ki++) {
                                for (int kj = 0; kj < g.kw; kj++) {
                                    int r = i * g.sh - g.ph + ki * g.dh;
                                    int s = j * g.sw - g.pw + kj * g.dw;
                                    if (r >= 0 && r < h && s >= 0 && s < w) {
                                        sum += wt[((o * cg + ci) * g.kh + ki) * g.kw + kj]
                                                * x[((img * c + grp * cg + ci) * h + r) * w + s];
                                    }
                                }
                            }
                        }
                        y[((img * outputs + o) * oh + i) * ow + j] = (float) sum;
                    }
                }
            }
        }
        return y;
    }
}
