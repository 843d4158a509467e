package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.ShareThread;

/**
 * A depthwise convolution (one input channel per group, any channel multiplier; stride, padding and dilation as
 * Caffe's) computed directly on float planes: per output row, kernel row and kernel column, one run of
 * multiply-adds over the output columns whose input column lies inside the plane, the padding skipped (it adds
 * nothing). The output row stays in the first-level cache while its taps add into it, and a unit-stride run is a
 * loop the JIT vectorizes. ND4J's depthwise_conv2d ran MobileNet v1's depthwise layers at about 2 GFLOP/s.
 *
 * <p>The float engine runs it on its activations, the simulator on integer codes held as floats: every product
 * and every partial sum of codes is then an integer, exact in float32 while the largest possible sum is at most
 * 2^24 (the same bound as the simulator's float32 matrix product), whatever the order of the additions.
 */
public final class DepthwiseKernel {

    /**
     * Where the planes come from and go to: an image's input channel, an image's output channel. Each thread of
     * {@link #run} has its own, so that it may keep working rows.
     */
    public interface Planes {
        /** Input channel {@code channel} of image {@code image} into {@code plane} (height x width, row after row). */
        void read(int image, int channel, float[] plane);

        /** The sums of output channel {@code channel} of image {@code image} (no bias added), to keep. */
        void write(int image, int channel, float[] sums);
    }

    /** Multiply-adds below which splitting the planes across threads costs more than it gains. */
    private static final long PARALLEL_MULTIPLY_ADDS = 1 << 16;

    private final ConvGeometry geometry;
    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;
    private final int multiplier;
    /** The filters, {@code [out channels, kh, kw]} in C order (Caffe's, undilated). */
    private final float[] weights;
    /** Per kernel column, the first output column whose input column lies inside the plane, and the end of them. */
    private final int[] firstColumn;
    private final int[] endColumn;

    /**
     * @param geometry a depthwise geometry (group = input channels) over {@code input}
     * @param input    the input shape N x C x H x W (N is ignored)
     * @param weights  {@code [out channels, 1, kh, kw]} in C order
     */
    public DepthwiseKernel(ConvGeometry geometry, int[] input, float[] weights) {
        if (!isDepthwise(geometry, input)) {
            throw new IllegalArgumentException("not a 2-D depthwise convolution");
        }
        int[] out = geometry.outputShape(input, false);
        if ((long) out[1] * geometry.kernelVolume() != weights.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + out[1] + " filters");
        }
        this.geometry = geometry;
        this.weights = weights;
        inChannels = input[1];
        inHeight = input[2];
        inWidth = input[3];
        outHeight = out[2];
        outWidth = out[3];
        multiplier = out[1] / inChannels;
        int kw = geometry.kernel()[1];
        firstColumn = new int[kw];
        endColumn = new int[kw];
        for (int kx = 0; kx < kw; kx++) {
            // output column ox reads input column ox * sw + offset
            int offset = kx * geometry.dilation()[1] - geometry.pad()[1];
            int sw = geometry.stride()[1];
            firstColumn[kx] = Math.min(outWidth, Math.max(0, -Math.floorDiv(offset, sw)));
            endColumn[kx] = Math.max(firstColumn[kx], Math.min(outWidth, -Math.floorDiv(offset - inWidth, sw)));
        }
    }

    /** Whether {@code geometry} over {@code input} is a 2-D convolution of several groups of one input channel. */
    public static boolean isDepthwise(ConvGeometry geometry, int[] input) {
        return input.length == 4 && geometry.kernel().length == 2 && geometry.group() > 1
                && geometry.group() == input[1];
    }

    /**
     * Every output plane of {@code images} images: each input plane is read once and its {@code multiplier}
     * output planes written, across threads when the work is large enough and the calling thread does not compute
     * a share of a batch ({@link ShareThread}: the other shares use the cores).
     */
    public void run(int images, Supplier<Planes> perThread) {
        int count = images * inChannels;
        long work = (long) count * multiplier * outHeight * outWidth * geometry.kernelVolume();
        int parts = work < PARALLEL_MULTIPLY_ADDS || ShareThread.inShare() ? 1
                : Math.min(count, Runtime.getRuntime().availableProcessors());
        IntStream range = IntStream.range(0, parts);
        (parts > 1 ? range.parallel() : range).forEach(part -> {
            Planes planes = perThread.get();
            float[] in = new float[inHeight * inWidth];
            float[] sums = new float[outHeight * outWidth];
            for (int p = (int) ((long) count * part / parts); p < (long) count * (part + 1) / parts; p++) {
                int image = p / inChannels;
                int channel = p % inChannels;
                planes.read(image, channel, in);
                for (int j = 0; j < multiplier; j++) {
                    Arrays.fill(sums, 0f);
                    accumulate(in, sums, channel * multiplier + j);
                    planes.write(image, channel * multiplier + j, sums);
                }
            }
        });
    }

    /** Adds output channel {@code channel}'s convolution of its input plane {@code in} to {@code out}. */
    void accumulate(float[] in, float[] out, int channel) {
        int kh = geometry.kernel()[0];
        int kw = geometry.kernel()[1];
        for (int oy = 0; oy < outHeight; oy++) {
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * geometry.stride()[0] - geometry.pad()[0] + ky * geometry.dilation()[0];
                if (iy < 0 || iy >= inHeight) {
                    continue;
                }
                int kx = 0;
                for (; kx + 3 <= kw; kx += 3) {
                    threeTaps(in, out, (channel * kh + ky) * kw, iy, oy * outWidth, kx);
                }
                for (; kx < kw; kx++) {
                    tap(in, out, weights[(channel * kh + ky) * kw + kx], source(iy, kx), oy * outWidth,
                            firstColumn[kx], endColumn[kx]);
                }
            }
        }
    }

    /** Where output column ox of kernel column kx reads row iy: input index {@code source + ox * stride}. */
    private int source(int iy, int kx) {
        return iy * inWidth + kx * geometry.dilation()[1] - geometry.pad()[1];
    }

    /**
     * Kernel columns kx .. kx + 2 of one kernel row (weights from {@code w}) into output row {@code row}: one run
     * adding all three over the columns where all three read inside the plane (an output value loaded and stored
     * once per three taps: twice as fast as a run per tap), then each tap alone over its other columns.
     */
    private void threeTaps(float[] in, float[] out, int w, int iy, int row, int kx) {
        int from = Math.max(firstColumn[kx], Math.max(firstColumn[kx + 1], firstColumn[kx + 2]));
        int to = Math.max(from, Math.min(endColumn[kx], Math.min(endColumn[kx + 1], endColumn[kx + 2])));
        for (int t = kx; t < kx + 3; t++) {
            int end = from == to ? endColumn[t] : from;
            tap(in, out, weights[w + t], source(iy, t), row, firstColumn[t], end);
            tap(in, out, weights[w + t], source(iy, t), row, Math.max(to, end), endColumn[t]);
        }
        int a = source(iy, kx);
        int b = source(iy, kx + 1);
        int c = source(iy, kx + 2);
        float wa = weights[w + kx];
        float wb = weights[w + kx + 1];
        float wc = weights[w + kx + 2];
        int sw = geometry.stride()[1];
        if (sw == 1) { // a loop of its own, which the JIT vectorizes
            for (int ox = from; ox < to; ox++) {
                out[row + ox] += wa * in[a + ox] + wb * in[b + ox] + wc * in[c + ox];
            }
        } else {
            for (int ox = from; ox < to; ox++) {
                out[row + ox] += wa * in[a + ox * sw] + wb * in[b + ox * sw] + wc * in[c + ox * sw];
            }
        }
    }

    /** One tap of weight {@code w} into output row {@code row}, columns {@code first .. end - 1}. */
    private void tap(float[] in, float[] out, float w, int source, int row, int first, int end) {
        int sw = geometry.stride()[1];
        if (sw == 1) {
            for (int ox = first; ox < end; ox++) {
                out[row + ox] += w * in[source + ox];
            }
        } else {
            for (int ox = first; ox < end; ox++) {
                out[row + ox] += w * in[source + ox * sw];
            }
        }
    }
}
