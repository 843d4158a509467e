package xportdnn.sim;

import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PoolingParameter.RoundMode;

/**
 * Caffe's MAX or AVE pooling over integer codes, windows as Caffe lays them out ({@link PoolGeometry}).
 *
 * <p>MAX takes the largest code of the window's input pixels (padding excluded), exactly the code of the largest
 * value. AVE sums the codes of the window's input pixels and multiplies by the reciprocal of the window size as
 * the runtime prepares it for the device (loadsf_avg_pool): {@code floor(2^16 / n)}, a Q16 integer; the product
 * is shifted right by 16 rounding half away from zero, like the device's other output stages. n is Caffe's
 * divisor: the window clipped to the padded input (so padding counts, and a window hanging past the padding does
 * not), which for every window inside the padded input is the kernel area the device uses.
 */
final class IntPooling {

    /** Fractional bits of the runtime's average-pooling reciprocal. */
    static final int RECIPROCAL_BITS = 16;

    private final PoolGeometry window;
    private final boolean max;
    private final int channels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;

    /** @param input N x C x H x W (N is ignored: any batch runs) */
    IntPooling(PoolGeometry window, RoundMode roundMode, int[] input, boolean max) {
        this.window = window;
        this.max = max;
        channels = input[1];
        inHeight = input[2];
        inWidth = input[3];
        int[] out = window.outputShape(input, roundMode);
        outHeight = out[2];
        outWidth = out[3];
    }

    int[] outputShape(int batch) {
        return new int[] {batch, channels, outHeight, outWidth};
    }

    int[] forward(int[] input, int batch) {
        int[] out = new int[batch * channels * outHeight * outWidth];
        IntConvolution.parallel(batch * channels, inHeight * inWidth, plane -> pool(input, plane, out));
        return out;
    }

    private void pool(int[] input, int plane, int[] out) {
        int base = plane * inHeight * inWidth;
        int o = plane * outHeight * outWidth;
        int[] columnMax = max ? new int[inWidth] : null;
        for (int oh = 0; oh < outHeight; oh++) {
            int h0 = oh * window.strideH() - window.padH();
            int h1 = Math.min(h0 + window.kernelH(), inHeight + (max ? 0 : window.padH()));
            if (max) {
                columnMaxima(input, base, Math.max(h0, 0), h1, columnMax);
            }
            for (int ow = 0; ow < outWidth; ow++, o++) {
                int w0 = ow * window.strideW() - window.padW();
                int w1 = Math.min(w0 + window.kernelW(), inWidth + (max ? 0 : window.padW()));
                out[o] = max ? maximum(columnMax, Math.max(w0, 0), w1) : average(input, base, h0, h1, w0, w1);
            }
        }
    }

    /** The largest code of every input column over rows h0..h1: MAX is separable. */
    private void columnMaxima(int[] in, int base, int h0, int h1, int[] columnMax) {
        java.util.Arrays.fill(columnMax, Integer.MIN_VALUE);
        for (int h = h0; h < h1; h++) {
            int row = base + h * inWidth;
            for (int w = 0; w < inWidth; w++) {
                columnMax[w] = Math.max(columnMax[w], in[row + w]);
            }
        }
    }

    private static int maximum(int[] columnMax, int w0, int w1) {
        int m = Integer.MIN_VALUE;
        for (int w = w0; w < w1; w++) {
            m = Math.max(m, columnMax[w]);
        }
        return m;
    }

    /** Rows h0..h1 and columns w0..w1 of the padded input (h1, w1 already clipped to the padded extent). */
    private int average(int[] in, int base, int h0, int h1, int w0, int w1) {
        int size = (h1 - h0) * (w1 - w0);
        long sum = 0;
        for (int h = Math.max(h0, 0); h < Math.min(h1, inHeight); h++) {
            for (int w = Math.max(w0, 0); w < Math.min(w1, inWidth); w++) {
                sum += in[base + h * inWidth + w];
            }
        }
        long reciprocal = (1L << RECIPROCAL_BITS) / size;
        return (int) Requantizer.roundShift(sum * reciprocal, RECIPROCAL_BITS);
    }
}
