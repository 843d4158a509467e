package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.run1;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Blob;
import xportdnn.model.Layer;

class DeconvolutionTest {

    @Test
    void eachInputValueStampsTheKernelUnflipped() {
        // out[i + a][j + b] += x[i][j] * k[a][b]
        INDArray y = run1(layer("name: 'd' type: 'Deconvolution' convolution_param { num_output: 1 kernel_size: 2 "
                + "bias_term: false }", blob(new int[] {1, 1, 2, 2}, 1, 2, 3, 4)), array(new float[] {1, 10, 100, 1000}, 1, 1, 2, 2));
        assertShape(y, 1, 1, 3, 3);
        assertValues(new float[] {1, 12, 20, 103, 1234, 2040, 300, 3400, 4000}, y, 0);
    }

    @Test
    void strideTwoWithPaddingCropsTheStampedOutput() {
        // stride 2 spreads the 2x2 stamps apart: full 4x4 output, pad 1 keeps rows/cols 1..2
        INDArray y = run1(layer("name: 'd' type: 'Deconvolution' convolution_param { num_output: 1 kernel_size: 2 stride: 2 "
                + "pad: 1 }", blob(new int[] {1, 1, 2, 2}, 1, 2, 3, 4), blob(0.5f)), array(new float[] {1, 10, 100, 1000}, 1, 1, 2, 2));
        assertShape(y, 1, 1, 2, 2);
        assertValues(new float[] {4.5f, 30.5f, 200.5f, 1000.5f}, y, 0);
    }

    @Test
    void groupsDilationAndSeveralChannelsMatchTheDefinition() {
        Random random = new Random(11);
        int n = 2;
        int c = 4;
        int h = 3;
        int w = 4;
        int outputs = 6;
        int group = 2;
        int k = 3;
        int stride = 2;
        int pad = 1;
        int dil = 2;
        float[] x = ConvolutionTest.gaussian(random, n * c * h * w);
        float[] wt = ConvolutionTest.gaussian(random, c * (outputs / group) * k * k);
        float[] b = ConvolutionTest.gaussian(random, outputs);
        INDArray y = run1(layer("name: 'd' type: 'Deconvolution' convolution_param { num_output: 6 group: 2 kernel_size: 3 "
                + "stride: 2 pad: 1 dilation: 2 }", blob(new int[] {c, outputs / group, k, k}, wt), blob(b)), array(x, n, c, h, w));
        int oh = stride * (h - 1) + dil * (k - 1) + 1 - 2 * pad;
        int ow = stride * (w - 1) + dil * (k - 1) + 1 - 2 * pad;
        assertShape(y, n, outputs, oh, ow);
        float[] expected = reference(x, new int[] {n, c, h, w}, wt, b, outputs, group, k, stride, pad, dil);
        assertValues(expected, y, 1e-5);
    }

    /**
     * An FCN's upsampling: one group per class, each one input and one output channel with the same bilinear kernel
     * (Caffe's bilinear filler), no bias. One deconv2d for all groups, each channel an image of its own.
     */
    @Test
    void bilinearUpsamplingOfEveryChannelIsOneCall() {
        int c = 5;
        int k = 4;
        float[] bilinear = new float[k * k];
        float f = k / 2f;
        float centre = (2 * f - 1 - f % 2) / (2 * f);
        for (int i = 0; i < k * k; i++) {
            bilinear[i] = (1 - Math.abs(i / k / f - centre)) * (1 - Math.abs(i % k / f - centre));
        }
        float[] wt = new float[c * k * k];
        for (int g = 0; g < c; g++) {
            System.arraycopy(bilinear, 0, wt, g * k * k, k * k);
        }
        checkGroups(c, c, wt, null, k, 2, 1, 1, 1);
    }

    /** The same kernel and bias in every group of one input channel, several outputs each, dilated: one call. */
    @Test
    void equalGroupsOfOneInputWithSeveralOutputsAndABiasAreOneCall() {
        Random random = new Random(5);
        int c = 3;
        int perGroup = 2;
        int k = 3;
        float[] kernel = ConvolutionTest.gaussian(random, perGroup * k * k);
        float[] bias = ConvolutionTest.gaussian(random, perGroup);
        float[] wt = new float[c * perGroup * k * k];
        float[] b = new float[c * perGroup];
        for (int g = 0; g < c; g++) {
            System.arraycopy(kernel, 0, wt, g * kernel.length, kernel.length);
            System.arraycopy(bias, 0, b, g * perGroup, perGroup);
        }
        checkGroups(c, c * perGroup, wt, b, k, 2, 1, 2, 1);
    }

    /** One input channel per group, but the groups' kernels (or biases) differ: a call per group. */
    @Test
    void groupsOfOneInputWithKernelsOrBiasesOfTheirOwnAreACallEach() {
        Random random = new Random(7);
        int c = 4;
        int k = 3;
        checkGroups(c, c, ConvolutionTest.gaussian(random, c * k * k), null, k, 2, 0, 1, c);
        float[] kernel = ConvolutionTest.gaussian(random, k * k);
        float[] wt = new float[c * k * k];
        for (int g = 0; g < c; g++) {
            System.arraycopy(kernel, 0, wt, g * k * k, k * k);
        }
        checkGroups(c, c, wt, ConvolutionTest.gaussian(random, c), k, 2, 0, 1, c);
    }

    /**
     * A Deconvolution of {@code c} groups, one input channel each, over two random 3 x 4 images, against
     * {@link #reference}; {@code calls} the deconv2d calls it makes per pass.
     */
    private static void checkGroups(int c, int outputs, float[] wt, float[] b, int k, int stride, int pad, int dil,
                                    int calls) {
        int n = 2;
        int h = 3;
        int w = 4;
        float[] x = ConvolutionTest.gaussian(new Random(3), n * c * h * w);
        Layer layer = layer("name: 'up' type: 'Deconvolution' convolution_param { num_output: " + outputs
                + " group: " + c + " kernel_size: " + k + " stride: " + stride + " pad: " + pad + " dilation: " + dil
                + (b == null ? " bias_term: false" : "") + " }", b == null
                ? new Blob[] {blob(new int[] {c, outputs / c, k, k}, wt)}
                : new Blob[] {blob(new int[] {c, outputs / c, k, k}, wt), blob(b)});
        Deconvolution op = new Deconvolution(layer, List.of(new int[] {n, c, h, w}));
        assertEquals(calls, op.callsPerPass());
        INDArray y = op.forward(List.of(array(x, n, c, h, w))).get(0);
        int oh = stride * (h - 1) + dil * (k - 1) + 1 - 2 * pad;
        int ow = stride * (w - 1) + dil * (k - 1) + 1 - 2 * pad;
        assertShape(y, n, outputs, oh, ow);
        assertValues(reference(x, new int[] {n, c, h, w}, wt, b == null ? new float[outputs] : b, outputs, c, k,
                stride, pad, dil), y, 1e-5);
    }

    /** The definition: every input value adds value * weight at its stamped, dilated position, to the bias. */
    private static float[] reference(float[] x, int[] shape, float[] wt, float[] b, int outputs, int group, int k,
                                     int stride, int pad, int dil) {
        int n = shape[0];
        int c = shape[1];
        int h = shape[2];
        int w = shape[3];
        int oh = stride * (h - 1) + dil * (k - 1) + 1 - 2 * pad;
        int ow = stride * (w - 1) + dil * (k - 1) + 1 - 2 * pad;
        int cg = c / group;
        int og = outputs / group;
        float[] expected = new float[n * outputs * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < outputs; o++) {
                for (int i = 0; i < oh * ow; i++) {
                    expected[(img * outputs + o) * oh * ow + i] = b[o];
                }
            }
            for (int ci = 0; ci < c; ci++) {
                int grp = ci / cg;
                for (int oj = 0; oj < og; oj++) {
                    int o = grp * og + oj;
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) {
                            for (int a = 0; a < k; a++) {
                                for (int bb = 0; bb < k; bb++) {
                                    int r = i * stride - pad + a * dil;
                                    int s = j * stride - pad + bb * dil;
                                    if (r >= 0 && r < oh && s >= 0 && s < ow) {
                                        expected[((img * outputs + o) * oh + r) * ow + s] += x[((img * c + ci) * h + i) * w + j]
                                                * wt[((ci * og + oj) * k + a) * k + bb];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return expected;
    }
}
