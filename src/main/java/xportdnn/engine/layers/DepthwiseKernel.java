package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.ShareThread;

/**
 * A depthwise convolution (one input channel per group, any channel multiplier; stride, padding and dilation as
 * Caffe's) computed directly on float planes. Each input plane is first copied into a zero-framed plane of the padded
 * size, so that no tap needs bounds. At unit strides every run of taps is then one long loop over the whole output
 * plane, laid out at the padded width (the columns beyond the output's width are computed and dropped): MobileNet's
 * late planes are 7 to 28 columns wide, too short for vector loops row by row. At other strides each output row is
 * a run. Three taps of a kernel row go into one run, so that an output value is loaded and stored once per three.
 * ND4J's depthwise_conv2d ran MobileNet v1's depthwise layers at about 2 GFLOP/s.
 * The float engine runs it on its activations (the simulator has its own kernel on integer codes,
 * {@code sim.IntDepthwise}).
 */
public final class DepthwiseKernel {

    /**
     * Where the planes come from and go to: an image's input channel, an image's output channel. Each thread of
     * {@link #run} has its own, so that it may keep working rows.
     */
    public interface Planes {
        /**
         * Input channel {@code channel} of image {@code image} into the start of {@code plane} (height x width, row
         * after row; the array may be longer).
         */
        void read(int image, int channel, float[] plane);

        /**
         * The sums of output channel {@code channel} of image {@code image} (no bias added), the start of
         * {@code sums} (output height x width; the array may be longer), to keep before the next call.
         */
        void write(int image, int channel, float[] sums);
    }

    /** Multiply-adds below which splitting the planes across threads costs more than it gains. */
    private static final long PARALLEL_MULTIPLY_ADDS = 1 << 16;
    /**
     * Per thread, the working planes of {@link #run} (input, padded input, wide sums, sums), kept from call to call
     * and grown as needed: fresh ones per call were heap garbage enough to grow the process by 70 MB in 40 calls on
     * 256 x 256 planes (ChannelsLastTest).
     */
    private static final ThreadLocal<float[][]> WORKING = ThreadLocal.withInitial(() -> new float[4][0]);

    private final ConvGeometry geometry;
    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;
    private final int multiplier;
    /** The filters, {@code [out channels, kh, kw]} in C order (Caffe's, undilated). */
    private final float[] weights;
    /** The padded plane's width and height. */
    private final int paddedWidth;
    private final int paddedHeight;
    /** Unit strides: one run per tap group over the whole plane at the padded width. */
    private final boolean unitStrides;

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
        paddedHeight = inHeight + 2 * geometry.pad()[0];
        paddedWidth = inWidth + 2 * geometry.pad()[1];
        unitStrides = geometry.stride()[0] == 1 && geometry.stride()[1] == 1;
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
            float[] in = working(0, inHeight * inWidth);
            float[] padded = working(1, paddedHeight * paddedWidth);
            Arrays.fill(padded, 0, paddedHeight * paddedWidth, 0f); // the frame stays zero from plane to plane
            // at unit strides the sums are laid out at the padded width, then compacted
            float[] wide = working(2, unitStrides ? outHeight * paddedWidth : 0);
            float[] sums = working(3, outHeight * outWidth);
            for (int p = (int) ((long) count * part / parts); p < (long) count * (part + 1) / parts; p++) {
                int image = p / inChannels;
                int channel = p % inChannels;
                planes.read(image, channel, in);
                for (int y = 0; y < inHeight; y++) {
                    System.arraycopy(in, y * inWidth, padded, (y + geometry.pad()[0]) * paddedWidth + geometry.pad()[1],
                            inWidth);
                }
                for (int j = 0; j < multiplier; j++) {
                    if (unitStrides) {
                        Arrays.fill(wide, 0, outHeight * paddedWidth, 0f);
                        accumulate(padded, wide, channel * multiplier + j, 0, outHeight);
                        for (int y = 0; y < outHeight; y++) {
                            System.arraycopy(wide, y * paddedWidth, sums, y * outWidth, outWidth);
                        }
                    } else {
                        Arrays.fill(sums, 0, outHeight * outWidth, 0f);
                        for (int oy = 0; oy < outHeight; oy++) {
                            accumulate(padded, sums, channel * multiplier + j, oy, 1);
                        }
                    }
                    planes.write(image, channel * multiplier + j, sums);
                }
            }
        });
    }

    /** The calling thread's working plane {@code slot}, of at least {@code size} values. */
    private static float[] working(int slot, int size) {
        float[][] planes = WORKING.get();
        if (planes[slot].length < size) {
            planes[slot] = new float[size];
        }
        return planes[slot];
    }

    /**
     * Adds output channel {@code channel}'s convolution of the padded plane {@code in} to output rows
     * {@code oy .. oy + rows - 1} of {@code out}: several rows only at unit strides, as one run at the padded width
     * into rows of that width; one row at the output's width otherwise.
     */
    private void accumulate(float[] in, float[] out, int channel, int oy, int rows) {
        int kh = geometry.kernel()[0];
        int kw = geometry.kernel()[1];
        int dw = geometry.dilation()[1];
        int sw = geometry.stride()[1];
        // output column ox of row oy reads padded column ox * sw + kx * dw of padded row oy * sh + ky * dh
        int to = rows == 1 ? oy * outWidth : 0;
        int count = rows == 1 ? outWidth : (rows - 1) * paddedWidth + outWidth;
        for (int ky = 0; ky < kh; ky++) {
            int from = (oy * geometry.stride()[0] + ky * geometry.dilation()[0]) * paddedWidth;
            int w = (channel * kh + ky) * kw;
            int kx = 0;
            for (; kx + 3 <= kw; kx += 3) {
                threeTaps(in, from + kx * dw, dw, sw, weights[w + kx], weights[w + kx + 1], weights[w + kx + 2], out, to,
                        count);
            }
            for (; kx < kw; kx++) {
                tap(in, from + kx * dw, sw, weights[w + kx], out, to, count);
            }
        }
    }

    /**
     * {@code out[to + i] += a x in[from + i sw] + b x in[from + i sw + d] + c x in[from + i sw + 2d]} for i in
     * 0..count-1. Unit stride has a loop of its own, which the JIT vectorizes.
     */
    private static void threeTaps(float[] in, int from, int d, int sw, float a, float b, float c, float[] out, int to,
            int count) {
        if (sw == 1) {
            for (int i = 0; i < count; i++) {
                out[to + i] += a * in[from + i] + b * in[from + i + d] + c * in[from + i + 2 * d];
            }
        } else {
            for (int i = 0; i < count; i++) {
                out[to + i] += a * in[from + i * sw] + b * in[from + i * sw + d] + c * in[from + i * sw + 2 * d];
            }
        }
    }

    /** {@code out[to + i] += a x in[from + i sw]} for i in 0..count-1 (a kernel row's taps beyond its threes). */
    private static void tap(float[] in, int from, int sw, float a, float[] out, int to, int count) {
        if (sw == 1) {
            for (int i = 0; i < count; i++) {
                out[to + i] += a * in[from + i];
            }
        } else {
            for (int i = 0; i < count; i++) {
                out[to + i] += a * in[from + i * sw];
            }
        }
    }
}
