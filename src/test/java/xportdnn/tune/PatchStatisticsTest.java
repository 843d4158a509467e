package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.FixedPointFormat;

/**
 * The moments kept of a layer's input patches give the same output errors as a direct nested-loop convolution
 * over the same inputs: with plain rounding and the device's rounding of the bias, and with the tuned codes and
 * bias; for channels prepared together (matrix products over the channels, as tuning does) and one by one.
 */
class PatchStatisticsTest {

    @Test
    void momentsReproduceTheDirectOutputError() {
        Random random = new Random(11);
        int c = 2, h = 5, w = 6, out = 3, kh = 3, kw = 3, n = 2;
        ConvGeometry g = new ConvGeometry("conv", 1, c, out, 1, new int[] {kh, kw}, new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1});
        float[] x = new float[n * c * h * w];
        float[] xq = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() + 0.5);
            xq[i] = Math.round(x[i] * 4) / 4f; // the device's input: step 0.25
        }
        PatchStatistics stats = new PatchStatistics(g, new int[] {n, c, h, w}, 1000, 1);
        stats.add(x, xq, n);
        assertEquals(n * h * w, stats.patches());
        int k = c * kh * kw;
        double step = 0.1;
        FixedPointFormat output = new FixedPointFormat(8, 1); // a coarse grid (0.5) for the bias
        ChannelTuning.Group group = ChannelTuning.Group.of(stats.moments(0));
        float[] kernel = new float[out * k];
        float[] biases = new float[out];
        int[] plain = new int[out * k];
        double[] plainValues = new double[out * k];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) (random.nextGaussian() * 0.3);
            plain[i] = (int) Math.round(kernel[i] / step);
            plainValues[i] = plain[i];
        }
        for (int o = 0; o < out; o++) {
            biases[o] = (float) random.nextGaussian();
        }
        // the channels prepared together and their products with the plain codes as matrix products (as tuning
        // does), and each channel on its own with the products left to the tuning
        ChannelTuning.Channel[] together = ChannelTuning.Channel.of(group, kernel, 0, out, biases);
        double[][] centeredPlain = ChannelTuning.times(group.centered(), plainValues, out);
        double[][] qqPlain = ChannelTuning.times(group.m().qq(), plainValues, out);
        for (int o = 0; o < out; o++) {
            float[] weights = Arrays.copyOfRange(kernel, o * k, (o + 1) * k);
            int[] codes = Arrays.copyOfRange(plain, o * k, (o + 1) * k);
            float bias = biases[o];
            for (ChannelTuning.Result r : List.of(
                    ChannelTuning.tune(together[o], codes, centeredPlain[o], qqPlain[o], step, -127, 127, output),
                    ChannelTuning.tune(ChannelTuning.Channel.of(group, weights, bias), codes, null, null, step, -127,
                            127, output))) {
                double plainBias = output.dequantize(output.quantize(bias, 0), 0);
                assertEquals(directError(x, xq, weights, codes, step, bias - plainBias, n, c, h, w, kh, kw),
                        r.errorPlain(), 1e-6 * r.errorPlain());
                double tunedBias = output.dequantize(r.biasCode(), 0);
                assertEquals(directError(x, xq, weights, r.codes(), step, bias - tunedBias, n, c, h, w, kh, kw),
                        r.errorTuned(), 1e-6 * r.errorPlain());
                assertTrue(r.errorTuned() <= r.errorPlain());
            }
        }
    }

    /** Mean over every output position of (w . x + offset - s q . x~)^2, padding 1, stride 1. */
    static double directError(float[] x, float[] xq, float[] weights, int[] codes, double step,
                                      double offset, int n, int c, int h, int w, int kh, int kw) {
        double sum = 0;
        int count = 0;
        for (int img = 0; img < n; img++) {
            for (int oy = 0; oy < h; oy++) {
                for (int ox = 0; ox < w; ox++) {
                    double e = offset;
                    int i = 0;
                    for (int ch = 0; ch < c; ch++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++, i++) {
                                int y = oy - 1 + ky;
                                int xx = ox - 1 + kx;
                                if (y < 0 || y >= h || xx < 0 || xx >= w) {
                                    continue;
                                }
                                int at = ((img * c + ch) * h + y) * w + xx;
                                e += weights[i] * x[at] - step * codes[i] * xq[at];
                            }
                        }
                    }
                    sum += e * e;
                    count++;
                }
            }
        }
        return sum / count;
    }
}
