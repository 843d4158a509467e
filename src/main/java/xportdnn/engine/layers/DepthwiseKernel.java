package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.ShareThread;

/**
 * A depthwise convolution (one input channel per group, any channel multiplier; stride, padding and dilation as
 * Caffe's) computed directly on float planes laid out as {@link DepthwiseLayout} describes. The float engine runs it
 * on its activations (the simulator has its own kernel on integer codes, {@code sim.IntDepthwise}, on the same
 * layout).
 *
 * <p>The order of the additions, which fixes a float result: an output value starts at +0 and, kernel row by kernel
 * row (ky ascending), each row's taps in threes by kx ascending, {@code s = s + ((w0 x0 + w1 x1) + w2 x2)}, then the
 * row's one or two taps left over one by one, {@code s = s + w x}; the caller adds the bias last. No product is
 * fused into its addition.
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
     * Per thread, its working arrays, kept from call to call and grown as needed: fresh ones per call were heap
     * garbage enough to grow the process by 70 MB in 40 calls on 256 x 256 planes (ChannelsLastTest).
     */
    private static final ThreadLocal<Working> WORKING = ThreadLocal.withInitial(Working::new);

    private final DepthwiseLayout layout;
    /** The filters, {@code [out channels, kh, kw]} in C order (Caffe's, undilated). */
    private final float[] weights;

    /**
     * @param geometry a depthwise geometry (group = input channels) over {@code input}
     * @param input    the input shape N x C x H x W (N is ignored)
     * @param weights  {@code [out channels, 1, kh, kw]} in C order
     */
    public DepthwiseKernel(ConvGeometry geometry, int[] input, float[] weights) {
        layout = new DepthwiseLayout(geometry, input);
        if ((long) layout.outChannels() * layout.taps() != weights.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + layout.outChannels() + " filters");
        }
        this.weights = weights;
    }

    /**
     * Every output plane of {@code images} images: each input plane is read once and its multiplier output planes
     * written; the work goes in the layout's units (an input channel of a group of images), across threads when it is
     * large enough and the calling thread does not compute a share of a batch ({@link ShareThread}: the other shares
     * use the cores).
     */
    public void run(int images, Supplier<Planes> perThread) {
        int count = layout.units(images);
        int parts = layout.multiplyAdds(images) < PARALLEL_MULTIPLY_ADDS || ShareThread.inShare() ? 1
                : Math.min(count, Runtime.getRuntime().availableProcessors());
        IntStream range = IntStream.range(0, parts);
        (parts > 1 ? range.parallel() : range).forEach(part -> {
            Planes planes = perThread.get();
            Working w = WORKING.get().laidOutFor(layout);
            for (int unit = (int) ((long) count * part / parts); unit < (long) count * (part + 1) / parts; unit++) {
                unit(planes, w, unit, images);
            }
        });
    }

    /** The output planes of unit {@code unit} of a batch of {@code images}. */
    private void unit(Planes planes, Working w, int unit, int images) {
        int channel = layout.unitChannel(unit);
        int first = layout.unitFirstImage(unit);
        int count = layout.unitImages(unit, images);
        for (int g = 0; g < count; g++) {
            planes.read(first + g, channel, w.plane);
            split(w.plane, w.phases, g);
        }
        int outHeight = layout.outHeight();
        int multiplier = layout.multiplier();
        if (layout.grouped()) { // small planes: each tap's runs of all the images in one copy
            int length = layout.groupRun(count);
            copyTaps(w, 0, length);
            for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
                sums(w, o, length);
                for (int g = 0; g < count; g++) {
                    compact(w.acc, layout.imageOffset(g), outHeight, w.sums, 0);
                    planes.write(first + g, o, w.sums);
                }
            }
            return;
        }
        for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
            for (int oy = 0; oy < outHeight; oy += layout.chunkRows()) {
                int rows = Math.min(layout.chunkRows(), outHeight - oy);
                copyTaps(w, oy * layout.phaseWidth(), layout.run(rows));
                sums(w, o, layout.run(rows));
                compact(w.acc, 0, rows, w.sums, oy * layout.outWidth());
            }
            planes.write(first, o, w.sums);
        }
    }

    /** The input plane {@code plane} copied into its phases' places for image {@code g} of the group. */
    private void split(float[] plane, float[] phases, int g) {
        int width = layout.inWidth();
        int stride = layout.strideWidth();
        for (int y = 0; y < layout.inHeight(); y++) {
            int row = layout.rowStart(g, y);
            if (stride == 1) {
                System.arraycopy(plane, y * width, phases, row + layout.columnStart(0), width);
                continue;
            }
            for (int rx = 0; rx < stride; rx++) {
                int at = row + layout.columnStart(rx);
                int end = (y + 1) * width;
                for (int from = y * width + layout.firstColumn(rx); from < end; from += stride) {
                    phases[at++] = plane[from];
                }
            }
        }
    }

    /** Each tap's run of {@code length} values from wide position {@code from} of the phases to its array's start. */
    private void copyTaps(Working w, int from, int length) {
        for (int t = 0; t < layout.taps(); t++) {
            System.arraycopy(w.phases, layout.tapStart(t) + from, w.taps[t], 0, length);
        }
    }

    /** Output channel {@code channel}'s sums of the taps' first {@code length} values, in the documented order. */
    private void sums(Working w, int channel, int length) {
        float[] acc = w.acc;
        float[][] runs = w.taps;
        int kh = layout.kernelHeight();
        int kw = layout.kernelWidth();
        Arrays.fill(acc, 0, length, 0f);
        for (int ky = 0; ky < kh; ky++) {
            int t = ky * kw;
            int k = channel * kh * kw + t;
            int kx = 0;
            for (; kx + 3 <= kw; kx += 3) {
                threeTaps(runs[t + kx], runs[t + kx + 1], runs[t + kx + 2], weights[k + kx], weights[k + kx + 1],
                        weights[k + kx + 2], acc, length);
            }
            for (; kx < kw; kx++) {
                tap(runs[t + kx], weights[k + kx], acc, length);
            }
        }
    }

    /**
     * {@code rows} output rows, at {@code at} in {@code acc} at the phases' width, into {@code sums} at {@code to} at
     * the output's width.
     */
    private void compact(float[] acc, int at, int rows, float[] sums, int to) {
        int outWidth = layout.outWidth();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(acc, at + r * layout.phaseWidth(), sums, to + r * outWidth, outWidth);
        }
    }

    /** {@code acc[i] += a x p[i] + b x q[i] + c x r[i]} for i in 0..count-1. */
    private static void threeTaps(float[] p, float[] q, float[] r, float a, float b, float c, float[] acc, int count) {
        for (int i = 0; i < count; i++) {
            acc[i] += a * p[i] + b * q[i] + c * r[i];
        }
    }

    /** {@code acc[i] += a x p[i]} for i in 0..count-1 (a kernel row's taps beyond its threes). */
    private static void tap(float[] p, float a, float[] acc, int count) {
        for (int i = 0; i < count; i++) {
            acc[i] += a * p[i];
        }
    }

    /** One thread's working arrays: an input plane, the phases, each tap's chunk, the chunk's sums, a sums plane. */
    private static final class Working {
        float[] plane = new float[0];
        float[] phases = new float[0];
        float[][] taps = new float[0][];
        float[] acc = new float[0];
        float[] sums = new float[0];
        /** The layout whose zero frame {@link #phases} holds (its planes overwrite only their own places). */
        private DepthwiseLayout layout;

        /** These arrays, large enough for {@code next}, its phases' frame zero. */
        Working laidOutFor(DepthwiseLayout next) {
            if (layout == next) {
                return this;
            }
            int size = next.phasesLength();
            if (phases.length < size) {
                phases = new float[size];
            } else {
                Arrays.fill(phases, 0, size, 0f);
            }
            plane = atLeast(plane, next.planeSize());
            acc = atLeast(acc, next.chunkLength());
            sums = atLeast(sums, next.outputSize());
            if (taps.length < next.taps()) {
                taps = Arrays.copyOf(taps, next.taps());
            }
            for (int t = 0; t < next.taps(); t++) {
                taps[t] = atLeast(taps[t], next.chunkLength());
            }
            layout = next;
            return this;
        }

        private static float[] atLeast(float[] array, int size) {
            return array != null && array.length >= size ? array : new float[size];
        }
    }
}
