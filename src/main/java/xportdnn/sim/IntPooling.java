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
 *
 * <p>MAX of byte codes into bytes (SqueezeNet's poolings at 8 bits) stays in bytes, the rows' maxima taken eight
 * lanes at a time ({@link ByteMax}). Otherwise each plane's rows pass through int working rows ({@link Codes#read},
 * {@link Codes#write}), so those loops serve byte and int codes alike; MAX keeps the input rows its last window
 * read ({@link WidenedRows}).
 */
final class IntPooling implements IntegerStep.Op {

    private final PoolGeometry window;
    /** Per channel (one entry serves all), the device's average arithmetic; null for MAX. */
    private final List<AveragePooling> average;
    /** Per image of the last pass, whether an average wrapped around. */
    private boolean[] wrapped = new boolean[0];
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

    /** Another pooling of the same window and arithmetic, its output codes and wrapped flags its own. */
    private IntPooling(IntPooling from) {
        window = from.window;
        narrow = from.narrow;
        average = from.average;
        max = from.max;
        channels = from.channels;
        inHeight = from.inHeight;
        inWidth = from.inWidth;
        outHeight = from.outHeight;
        outWidth = from.outWidth;
    }

    @Override
    public IntPooling forShare() {
        return new IntPooling(this);
    }

    @Override
    public int[] outputShape(int batch) {
        return new int[] {batch, channels, outHeight, outWidth};
    }

    /**
     * The pooled codes, in an array the next call overwrites: bytes where they fit for sure (MAX of byte codes,
     * an average written in an 8-bit container).
     */
    @Override
    public Codes forward(Codes input, int batch) {
        if (!max) {
            wrapped = new boolean[batch];
        }
        boolean bytes = max ? input.bytes() : average.stream().allMatch(a -> a.container() <= Byte.SIZE);
        Codes out = output.get(bytes, batch * channels * outHeight * outWidth);
        IntConvolution.parallel(batch * channels, inHeight * inWidth, plane -> pool(input, plane, out));
        return out;
    }

    private void pool(Codes input, int plane, Codes out) {
        if (max && out.bytes()) { // byte codes in
            poolBytes((byte[]) input.array(), plane, (byte[]) out.array());
            return;
        }
        int base = plane * inHeight * inWidth;
        int o = plane * outHeight * outWidth;
        int[] outRow = new int[outWidth];
        int[] columnMax = max ? new int[inWidth] : null;
        WidenedRows rows = max ? new WidenedRows(input, base) : null;
        for (int oh = 0; oh < outHeight; oh++, o += outWidth) {
            int h0 = oh * window.strideH() - window.padH();
            int h1 = Math.min(h0 + window.kernelH(), inHeight);
            if (max) {
                columnMaxima(rows, Math.max(h0, 0), h1, columnMax);
                rowMaxima(columnMax, outRow);
            } else {
                AveragePooling arithmetic = average.get(average.size() == 1 ? 0 : plane % channels);
                for (int ow = 0; ow < outWidth; ow++) {
                    int w0 = ow * window.strideW() - window.padW();
                    int w1 = Math.min(w0 + window.kernelW(), inWidth);
                    outRow[ow] = average(arithmetic, input, base, h0, h1, w0, w1, plane / channels);
                }
            }
            out.write(o, outRow, 0, outWidth);
        }
    }

    /**
     * MAX of one plane of byte codes: per output row the column maxima over
     * its window's rows ({@link ByteMax}), then each window's maximum of those, written straight to the output.
     */
    private void poolBytes(byte[] in, int plane, byte[] out) {
        int base = plane * inHeight * inWidth;
        int o = plane * outHeight * outWidth;
        byte[] columnMax = new byte[inWidth];
        for (int oh = 0; oh < outHeight; oh++, o += outWidth) {
            int top = oh * window.strideH() - window.padH();
            int h0 = Math.max(top, 0);
            int h1 = Math.min(top + window.kernelH(), inHeight);
            System.arraycopy(in, base + h0 * inWidth, columnMax, 0, inWidth);
            for (int h = h0 + 1; h < h1; h++) {
                ByteMax.maxInto(in, base + h * inWidth, columnMax, 0, inWidth);
            }
            windowMaxima(columnMax, out, o);
        }
    }

    /**
     * One output row of bytes from the column maxima: the windows wholly inside the row without clipping, those at
     * its ends clipped (each holds a column). SqueezeNet's windows (3 wide, stride 2) share a column with the next
     * one, so each loads two new columns: 1.7 times as fast as three loads with a clipping test per window.
     */
    private void windowMaxima(byte[] columnMax, byte[] out, int o) {
        int sw = window.strideW();
        int kw = window.kernelW();
        int pw = window.padW();
        int first = Math.min(outWidth, IntConvolution.ceilDiv(pw, sw)); // windows first..end-1 need no clipping
        int end = Math.max(first, Math.min(outWidth, Math.floorDiv(inWidth - kw + pw, sw) + 1));
        for (int ow = 0; ow < first; ow++) {
            out[o + ow] = clippedWindow(columnMax, ow);
        }
        for (int ow = end; ow < outWidth; ow++) {
            out[o + ow] = clippedWindow(columnMax, ow);
        }
        int w = first * sw - pw;
        if (kw == 3 && sw == 2) {
            int shared = first < end ? columnMax[w] : 0;
            for (int ow = first; ow < end; ow++, w += 2) {
                int next = columnMax[w + 2];
                out[o + ow] = (byte) Math.max(Math.max(shared, columnMax[w + 1]), next);
                shared = next;
            }
            return;
        }
        for (int ow = first; ow < end; ow++, w += sw) {
            int m = columnMax[w];
            for (int x = w + 1; x < w + kw; x++) {
                m = Math.max(m, columnMax[x]);
            }
            out[o + ow] = (byte) m;
        }
    }

    /** The largest of the column maxima in window {@code ow}, clipped to the row (it holds a column). */
    private byte clippedWindow(byte[] columnMax, int ow) {
        int w0 = ow * window.strideW() - window.padW();
        int m = Byte.MIN_VALUE;
        for (int w = Math.max(w0, 0); w < Math.min(w0 + window.kernelW(), inWidth); w++) {
            m = Math.max(m, columnMax[w]);
        }
        return (byte) m;
    }

    /**
     * The largest code of every input column over rows h0..h1: MAX is separable. With narrow codes the maximum is
     * branch-free, {@code x + (d & ~(d >> 31))} with {@code d = y - x}, the form {@link xportdnn.precision.Requantizer}
     * uses for C2's (JDK 17) auto-vectorizer, which does not take {@code Math.max} on ints.
     */
    private void columnMaxima(WidenedRows rows, int h0, int h1, int[] columnMax) {
        System.arraycopy(rows.row(h0), 0, columnMax, 0, inWidth);
        for (int h = h0 + 1; h < h1; h++) {
            int[] row = rows.row(h);
            if (narrow) {
                for (int w = 0; w < inWidth; w++) {
                    int d = row[w] - columnMax[w];
                    columnMax[w] += d & ~(d >> 31);
                }
            } else {
                for (int w = 0; w < inWidth; w++) {
                    columnMax[w] = Math.max(columnMax[w], row[w]);
                }
            }
        }
    }

    /**
     * One output row from the column maxima: output column ow takes the largest of input columns
     * ow x stride - pad .. + kernel - 1 that exist (every window holds one: {@link PoolGeometry}
     * refuses a window past the input), kept in a register rather than stored back after each kernel column.
     */
    private void rowMaxima(int[] columnMax, int[] out) {
        int sw = window.strideW();
        int kw = window.kernelW();
        int pw = window.padW();
        for (int ow = 0; ow < outWidth; ow++) {
            int w0 = ow * sw - pw;
            int w1 = Math.min(w0 + kw, inWidth);
            if (kw == 3 && w0 >= 0 && w1 == w0 + 3) { // a whole 3-wide window (SqueezeNet's) unrolled: 2x faster
                out[ow] = Math.max(Math.max(columnMax[w0], columnMax[w0 + 1]), columnMax[w0 + 2]);
                continue;
            }
            int m = Integer.MIN_VALUE;
            for (int w = Math.max(w0, 0); w < w1; w++) {
                m = Math.max(m, columnMax[w]);
            }
            out[ow] = m;
        }
    }

    /**
     * The device's average of rows h0..h1 and columns w0..w1 (h1, w1 already clipped to the input) for image
     * {@code image}, which is marked in {@link #wrapped} if the code wraps around.
     */
    private int average(AveragePooling arithmetic, Codes in, int base, int h0, int h1, int w0, int w1, int image) {
        long sum = 0;
        for (int h = Math.max(h0, 0); h < h1; h++) {
            for (int w = Math.max(w0, 0); w < w1; w++) {
                sum += in.get(base + h * inWidth + w);
            }
        }
        int code = arithmetic.apply(sum);
        if (arithmetic.wraps(sum, code)) {
            wrapped[image] = true; // planes run in parallel: only ever set, read after they have all joined
        }
        return code;
    }

    /**
     * Per image of the last {@link #forward}, whether one of its averages wrapped around (the device writes the low
     * bits of a quotient out of the container's range); empty for MAX.
     */
    boolean[] wrappedImages() {
        return wrapped.clone();
    }

    /** Sets what {@link #wrappedImages} says: for a batch computed in shares, each share's flags in image order. */
    void wrappedImages(boolean[] images) {
        wrapped = images.clone();
    }

    /**
     * One plane's input rows as ints, each read once: windows move down the plane, so the rows of one window
     * (at most a kernel's height of consecutive rows) sit in distinct slots h mod kernel height, where the rows
     * an overlapping next window shares stay (SqueezeNet's 3x3 windows at stride 2 share one of three).
     */
    private final class WidenedRows {
        private final Codes in;
        private final int base;
        private final int[][] slots = new int[window.kernelH()][inWidth];
        private final int[] held = new int[window.kernelH()];

        WidenedRows(Codes in, int base) {
            this.in = in;
            this.base = base;
            java.util.Arrays.fill(held, -1);
        }

        int[] row(int h) {
            int slot = h % slots.length;
            if (held[slot] != h) {
                in.read(base + h * inWidth, slots[slot], 0, inWidth);
                held[slot] = h;
            }
            return slots[slot];
        }
    }
}
