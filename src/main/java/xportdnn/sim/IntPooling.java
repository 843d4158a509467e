package xportdnn.sim;

import java.util.List;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PoolingParameter.RoundMode;
import xportdnn.precision.AveragePooling;

/**
 * Caffe's MAX or AVE pooling over integer codes, windows as Caffe lays them out ({@link PoolGeometry}).
 *
 * <p>MAX takes the largest code of the window's input pixels (padding excluded), exactly the code of the largest
 * value. AVE sums the codes of the window's input pixels and hands the sum to the device's arithmetic
 * ({@link AveragePooling}), which divides by the kernel's area even where a window covers padding.
 */
final class IntPooling {

    private final PoolGeometry window;
    /** Per channel (one entry serves all), the device's average arithmetic; null for MAX. */
    private final List<AveragePooling> average;
    private final boolean max;
    private final int channels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;
    /** Every input code lies within +-(2^30 - 1), so the branch-free maximum below cannot overflow. */
    private final boolean narrow;
    private final ReusedCodes output = new ReusedCodes();

    /**
     * @param input     N x C x H x W (N is ignored: any batch runs)
     * @param average   the device's average arithmetic, one for all channels or one per channel; null for MAX
     *                  pooling
     * @param magnitude the largest |code| an input can hold
     */
    IntPooling(PoolGeometry window, RoundMode roundMode, int[] input, List<AveragePooling> average, long magnitude) {
        this.window = window;
        this.narrow = magnitude < 1 << 30;
        this.average = average;
        this.max = average == null;
        channels = input[1];
        if (average != null && average.size() != 1 && average.size() != channels) {
            throw new IllegalArgumentException(average.size() + " average poolings for " + channels + " channels");
        }
        inHeight = input[2];
        inWidth = input[3];
        int[] out = window.outputShape(input, roundMode);
        outHeight = out[2];
        outWidth = out[3];
    }

    int[] outputShape(int batch) {
        return new int[] {batch, channels, outHeight, outWidth};
    }

    /** The pooled codes, in an array the next call overwrites. */
    int[] forward(int[] input, int batch) {
        int[] out = output.get(batch * channels * outHeight * outWidth);
        IntConvolution.parallel(batch * channels, inHeight * inWidth, plane -> pool(input, plane, out));
        return out;
    }

    private void pool(int[] input, int plane, int[] out) {
        int base = plane * inHeight * inWidth;
        int o = plane * outHeight * outWidth;
        int[] columnMax = max ? new int[inWidth] : null;
        for (int oh = 0; oh < outHeight; oh++, o += outWidth) {
            int h0 = oh * window.strideH() - window.padH();
            int h1 = Math.min(h0 + window.kernelH(), inHeight);
            if (max) {
                columnMaxima(input, base, Math.max(h0, 0), h1, columnMax);
                rowMaxima(columnMax, out, o);
                continue;
            }
            AveragePooling arithmetic = average.get(average.size() == 1 ? 0 : plane % channels);
            for (int ow = 0; ow < outWidth; ow++) {
                int w0 = ow * window.strideW() - window.padW();
                int w1 = Math.min(w0 + window.kernelW(), inWidth);
                out[o + ow] = average(arithmetic, input, base, h0, h1, w0, w1);
            }
        }
    }

    /**
     * The largest code of every input column over rows h0..h1: MAX is separable. With narrow codes the maximum is
     * branch-free, {@code x + (d & ~(d >> 31))} with {@code d = y - x}, the form {@link xportdnn.precision.Requantizer}
     * uses for C2's (JDK 17) auto-vectorizer, which does not take {@code Math.max} on ints.
     */
    private void columnMaxima(int[] in, int base, int h0, int h1, int[] columnMax) {
        if (h0 >= h1) { // a window wholly beyond the input (ceil rounding, large stride): Caffe's -FLT_MAX
            java.util.Arrays.fill(columnMax, Integer.MIN_VALUE);
            return;
        }
        System.arraycopy(in, base + h0 * inWidth, columnMax, 0, inWidth);
        for (int h = h0 + 1; h < h1; h++) {
            int row = base + h * inWidth;
            if (narrow) {
                for (int w = 0; w < inWidth; w++) {
                    int d = in[row + w] - columnMax[w];
                    columnMax[w] += d & ~(d >> 31);
                }
            } else {
                for (int w = 0; w < inWidth; w++) {
                    columnMax[w] = Math.max(columnMax[w], in[row + w]);
                }
            }
        }
    }

    /**
     * One output row from the column maxima: output column ow takes the largest of input columns
     * ow x stride - pad .. + kernel - 1 that exist (Caffe's -FLT_MAX, here the smallest int, where none does),
     * kept in a register rather than stored back after each kernel column.
     */
    private void rowMaxima(int[] columnMax, int[] out, int o) {
        int sw = window.strideW();
        int kw = window.kernelW();
        int pw = window.padW();
        for (int ow = 0; ow < outWidth; ow++) {
            int w0 = ow * sw - pw;
            int w1 = Math.min(w0 + kw, inWidth);
            if (kw == 3 && w0 >= 0 && w1 == w0 + 3) { // a whole 3-wide window (SqueezeNet's) unrolled: 2x faster
                out[o + ow] = Math.max(Math.max(columnMax[w0], columnMax[w0 + 1]), columnMax[w0 + 2]);
                continue;
            }
            int m = Integer.MIN_VALUE;
            for (int w = Math.max(w0, 0); w < w1; w++) {
                m = Math.max(m, columnMax[w]);
            }
            out[o + ow] = m;
        }
    }

    /** The device's average of rows h0..h1 and columns w0..w1 (h1, w1 already clipped to the input). */
    private int average(AveragePooling arithmetic, int[] in, int base, int h0, int h1, int w0, int w1) {
        long sum = 0;
        for (int h = Math.max(h0, 0); h < h1; h++) {
            for (int w = Math.max(w0, 0); w < w1; w++) {
                sum += in[base + h * inWidth + w];
            }
        }
        return arithmetic.apply(sum);
    }
}
