package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.model.ConvGeometry;

/**
 * {@link DepthwiseKernel}'s sums bit for bit against a nested-loop definition that adds the taps in the order its doc
 * states (float addition is not associative, so any other order would differ in the last bits).
 */
class DepthwiseKernelTest {

    /**
     * Random geometries: kernels of 1 to 5 per axis (rows of 1 to 5 taps: threes and the taps left over), strides
     * 1 to 3, padding up to the kernel, dilation 1 or 2, multiplier 1 or 2, 1 to 5 images; planes from a few pixels
     * (several images per chunk) to 90 x 90 (several chunks per plane), the larger ones split across threads.
     */
    @Test
    void sumsAreBitIdenticalToTheDefinitionInTheDocumentedOrder() {
        Random random = new Random(23);
        for (int i = 0; i < 60; i++) {
            int n = 1 + random.nextInt(5);
            int channels = 2 + random.nextInt(12); // a depthwise layer has at least two groups
            int multiplier = 1 + random.nextInt(2);
            int kh = 1 + random.nextInt(5);
            int kw = 1 + random.nextInt(5);
            int[] stride = {1 + random.nextInt(3), 1 + random.nextInt(3)};
            int[] pad = {random.nextInt(kh + 1), random.nextInt(kw + 1)};
            int[] dilation = {1 + random.nextInt(2), 1 + random.nextInt(2)};
            int side = random.nextBoolean() ? 8 : 90;
            int h = dilation[0] * (kh - 1) + 1 + random.nextInt(side);
            int w = dilation[1] * (kw - 1) + 1 + random.nextInt(side);
            ConvGeometry geometry = new ConvGeometry("dw", 1, channels, channels * multiplier, channels,
                    new int[] {kh, kw}, stride, pad, dilation);
            float[] input = gaussian(random, n * channels * h * w);
            float[] weights = gaussian(random, channels * multiplier * kh * kw);
            int oh = (h + 2 * pad[0] - (dilation[0] * (kh - 1) + 1)) / stride[0] + 1;
            int ow = (w + 2 * pad[1] - (dilation[1] * (kw - 1) + 1)) / stride[1] + 1;
            float[] out = new float[n * channels * multiplier * oh * ow];
            int inPlane = h * w;
            int outPlane = oh * ow;
            new DepthwiseKernel(geometry, new int[] {n, channels, h, w}, weights).run(n,
                    () -> new DepthwiseKernel.Planes() {
                        @Override
                        public void read(int image, int channel, float[] plane) {
                            System.arraycopy(input, (image * channels + channel) * inPlane, plane, 0, inPlane);
                        }

                        @Override
                        public void write(int image, int channel, float[] sums) {
                            System.arraycopy(sums, 0, out, (image * channels * multiplier + channel) * outPlane,
                                    outPlane);
                        }
                    });
            float[] expected = definition(input, n, channels, h, w, weights, multiplier, kh, kw, stride, pad, dilation,
                    oh, ow);
            assertArrayEquals(bits(expected), bits(out), "case " + i + ": " + n + "x" + channels + "x" + h + "x" + w
                    + " kernel " + kh + "x" + kw + " stride " + stride[0] + "," + stride[1] + " multiplier "
                    + multiplier);
        }
    }

    /**
     * Per output value: from +0, kernel row by kernel row, the row's taps in threes by kx ascending, each three
     * {@code s = s + ((w0 x0 + w1 x1) + w2 x2)}, then the row's taps left over {@code s = s + w x}; input outside
     * the plane is 0.
     */
    private static float[] definition(float[] x, int n, int c, int h, int w, float[] wt, int multiplier, int kh,
            int kw, int[] stride, int[] pad, int[] dilation, int oh, int ow) {
        float[] y = new float[n * c * multiplier * oh * ow];
        int at = 0;
        for (int image = 0; image < n; image++) {
            for (int o = 0; o < c * multiplier; o++) {
                int plane = (image * c + o / multiplier) * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float s = 0f;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * stride[0] - pad[0] + ky * dilation[0];
                            float[] p = new float[kw];
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * stride[1] - pad[1] + kx * dilation[1];
                                float v = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[plane + iy * w + ix] : 0f;
                                p[kx] = wt[(o * kh + ky) * kw + kx] * v;
                            }
                            int kx = 0;
                            for (; kx + 3 <= kw; kx += 3) {
                                s = s + (p[kx] + p[kx + 1] + p[kx + 2]);
                            }
                            for (; kx < kw; kx++) {
                                s = s + p[kx];
                            }
                        }
                        y[at++] = s;
                    }
                }
            }
        }
        return y;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
