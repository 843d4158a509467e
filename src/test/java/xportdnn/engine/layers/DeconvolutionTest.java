package xportdnn.engine.layers;

import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.run1;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        // the definition: every input value adds value * weight at its stamped, dilated position
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
        assertValues(expected, y, 1e-5);
    }
}
