package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.ShareThread;

/**
 * A depthwise convolution (one input channel per group, any channel multiplier; stride, padding and dilation as
 * Caffe's) computed directly on float planes. The float engine runs it on its activations (the simulator has its own
 * kernel on integer codes, {@code sim.IntDepthwise}, laid out the same way).
 *
 * <p>Each input plane is copied into float planes of the padded size split by phase: at strides sh x sw, phase
 * (ry, rx) holds the padded rows ry, ry + sh, ... and of them the columns rx, rx + sw, ... (at unit strides the one
 * phase is the padded plane), inside a zero frame that no plane overwrites. Output pixel (oy, ox) reads for tap
 * (ky, kx) padded row oy sh + ky dh and column ox sw + kx dw: row oy + (ky dh) / sh and column ox + (kx dw) / sw of
 * phase ((ky dh) mod sh, (kx dw) mod sw). Laid out at the phases' width, every tap is then one unit-stride run over
 * the whole output plane (the columns beyond the output's width are computed and dropped), whatever the stride.
 * A large plane's runs are cut into chunks of whole output rows; small planes (MobileNet's 7x7 and 14x14) go into
 * one chunk with the same channel's planes of the next images, as one run, since runs of a few dozen values stay in
 * the scalar loops the JIT puts around its vector loop. The images of such a group lie phase by phase (phase 0 of
 * each, then phase 1 of each, ...), so that a run reads one phase of each image: with all of an image's phases side
 * by side a run over the group at stride 2 would compute four times the outputs it keeps (MobileNet's stride-2
 * layers on 28x28 and 14x14 planes were then slower than the code before, about 1.2 to 1.6 times).
 *
 * <p>Each tap's chunk is first copied into an array of its own, so that the multiply-add loop reads its taps at the
 * index it writes: the JIT of JDK 17 vectorizes a loop only when all its accesses to arrays of one element type sit
 * at the same offset from the loop index, which shifted reads of one plane do not (they ran scalar).
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
    /** Output values a chunk holds at least (whole rows of the phases' width): 9 taps of it stay in the L2 cache. */
    private static final int CHUNK = 2048;
    /**
     * Per thread, its working arrays, kept from call to call and grown as needed: fresh ones per call were heap
     * garbage enough to grow the process by 70 MB in 40 calls on 256 x 256 planes (ChannelsLastTest).
     */
    private static final ThreadLocal<Working> WORKING = ThreadLocal.withInitial(Working::new);

    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;
    private final int multiplier;
    private final int kh;
    private final int kw;
    /** The filters, {@code [out channels, kh, kw]} in C order (Caffe's, undilated). */
    private final float[] weights;
    private final int padTop;
    private final int padLeft;
    private final int strideH;
    private final int strideW;
    /** Each phase's width and height (the padded plane's divided by the strides, rounded up). */
    private final int phaseWidth;
    private final int phaseHeight;
    /** Per tap (ky, kx), where its run starts in the phases: the phase's start + row x phase width + column. */
    private final int[] tapStart;
    /** The size of one phase and of one input plane's phases. */
    private final int phaseSize;
    private final int phasesSize;
    /**
     * Images whose planes of one channel go into one chunk: several where a phase is small, so that each tap is one
     * copy and each loop one run for all of them; else 1, and the plane's output rows go in chunks of
     * {@link #chunkRows}.
     */
    private final int groupImages;
    /** Output rows per chunk of one plane. */
    private final int chunkRows;

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
        this.weights = weights;
        inChannels = input[1];
        inHeight = input[2];
        inWidth = input[3];
        outHeight = out[2];
        outWidth = out[3];
        multiplier = out[1] / inChannels;
        kh = geometry.kernel()[0];
        kw = geometry.kernel()[1];
        padTop = geometry.pad()[0];
        padLeft = geometry.pad()[1];
        strideH = geometry.stride()[0];
        strideW = geometry.stride()[1];
        phaseHeight = ceilDiv(inHeight + 2 * padTop, strideH);
        phaseWidth = ceilDiv(inWidth + 2 * padLeft, strideW);
        phaseSize = phaseHeight * phaseWidth;
        groupImages = Math.max(1, CHUNK / phaseSize);
        phasesSize = strideH * strideW * phaseSize;
        chunkRows = Math.min(outHeight, Math.max(1, CHUNK / phaseWidth));
        tapStart = new int[kh * kw];
        for (int ky = 0; ky < kh; ky++) {
            int dy = ky * geometry.dilation()[0];
            for (int kx = 0; kx < kw; kx++) {
                int dx = kx * geometry.dilation()[1];
                tapStart[ky * kw + kx] = phaseStart(dy % strideH, dx % strideW) + dy / strideH * phaseWidth
                        + dx / strideW;
            }
        }
    }

    /** Whether {@code geometry} over {@code input} is a 2-D convolution of several groups of one input channel. */
    public static boolean isDepthwise(ConvGeometry geometry, int[] input) {
        return input.length == 4 && geometry.kernel().length == 2 && geometry.group() > 1
                && geometry.group() == input[1];
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Where phase (ry, rx) of the group's first image starts in the phases' array: a phase of each image of a group,
     * then the next phase's, so that a tap's run over the group reads one phase of each image, not all of them.
     */
    private int phaseStart(int ry, int rx) {
        return (ry * strideW + rx) * groupImages * phaseSize;
    }

    /**
     * Every output plane of {@code images} images: each input plane is read once and its {@code multiplier}
     * output planes written; the work goes per input channel and group of {@link #groupImages} images, across threads
     * when it is large enough and the calling thread does not compute a share of a batch ({@link ShareThread}: the
     * other shares use the cores).
     */
    public void run(int images, Supplier<Planes> perThread) {
        int count = ceilDiv(images, groupImages) * inChannels;
        long work = (long) images * inChannels * multiplier * outHeight * outWidth * kh * kw;
        int parts = work < PARALLEL_MULTIPLY_ADDS || ShareThread.inShare() ? 1
                : Math.min(count, Runtime.getRuntime().availableProcessors());
        IntStream range = IntStream.range(0, parts);
        (parts > 1 ? range.parallel() : range).forEach(part -> {
            Planes planes = perThread.get();
            Working w = WORKING.get().laidOutFor(this);
            for (int unit = (int) ((long) count * part / parts); unit < (long) count * (part + 1) / parts; unit++) {
                group(planes, w, unit / inChannels * groupImages, Math.min(groupImages, images - unit / inChannels
                        * groupImages), unit % inChannels);
            }
        });
    }

    /** Channel {@code channel}'s output planes of images {@code first .. first + images - 1}. */
    private void group(Planes planes, Working w, int first, int images, int channel) {
        for (int g = 0; g < images; g++) {
            planes.read(first + g, channel, w.plane);
            split(w.plane, w.phases, g * phaseSize);
        }
        if (groupImages > 1) { // small planes: each tap's runs of all the images in one copy
            int length = (images - 1) * phaseSize + run(outHeight);
            copyTaps(w, 0, length);
            for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
                sums(w, o, length);
                for (int g = 0; g < images; g++) {
                    compact(w.acc, g * phaseSize, outHeight, w.sums, 0);
                    planes.write(first + g, o, w.sums);
                }
            }
            return;
        }
        for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
            for (int oy = 0; oy < outHeight; oy += chunkRows) {
                int rows = Math.min(chunkRows, outHeight - oy);
                copyTaps(w, oy * phaseWidth, run(rows));
                sums(w, o, run(rows));
                compact(w.acc, 0, rows, w.sums, oy * outWidth);
            }
            planes.write(first, o, w.sums);
        }
    }

    /**
     * The wide sums of {@code rows} output rows: they end at the last row's last output column, so that no tap
     * reads past its phase.
     */
    private int run(int rows) {
        return (rows - 1) * phaseWidth + outWidth;
    }

    /** The input plane {@code plane} copied into its phases' places at {@code to}, inside their zero frame. */
    private void split(float[] plane, float[] phases, int to) {
        for (int y = 0; y < inHeight; y++) {
            int py = y + padTop;
            int row = to + phaseStart(py % strideH, 0) + py / strideH * phaseWidth;
            if (strideW == 1) {
                System.arraycopy(plane, y * inWidth, phases, row + padLeft, inWidth);
                continue;
            }
            for (int rx = 0; rx < strideW; rx++) {
                int x0 = Math.floorMod(rx - padLeft, strideW); // the first input column of column phase rx
                int from = y * inWidth + x0;
                int end = (y + 1) * inWidth;
                for (int at = row + phaseStart(0, rx) + (x0 + padLeft) / strideW; from < end; from += strideW) {
                    phases[at++] = plane[from];
                }
            }
        }
    }

    /** Each tap's run of {@code length} values from wide position {@code from} of the phases to its array's start. */
    private void copyTaps(Working w, int from, int length) {
        for (int t = 0; t < tapStart.length; t++) {
            System.arraycopy(w.phases, tapStart[t] + from, w.taps[t], 0, length);
        }
    }

    /** Output channel {@code channel}'s sums of the taps' first {@code length} values, in the documented order. */
    private void sums(Working w, int channel, int length) {
        float[] acc = w.acc;
        float[][] runs = w.taps;
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
        for (int r = 0; r < rows; r++) {
            System.arraycopy(acc, at + r * phaseWidth, sums, to + r * outWidth, outWidth);
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
        /** The kernel whose zero frame {@link #phases} holds (its planes overwrite only their own places). */
        private DepthwiseKernel layout;

        /** These arrays, large enough for {@code kernel}, its phases' frame zero. */
        Working laidOutFor(DepthwiseKernel kernel) {
            if (layout == kernel) {
                return this;
            }
            int size = kernel.groupImages * kernel.phasesSize;
            if (phases.length < size) {
                phases = new float[size];
            } else {
                Arrays.fill(phases, 0, size, 0f);
            }
            plane = atLeast(plane, kernel.inHeight * kernel.inWidth);
            int chunk = kernel.groupImages > 1 ? kernel.groupImages * kernel.phaseSize
                    : kernel.chunkRows * kernel.phaseWidth;
            acc = atLeast(acc, chunk);
            sums = atLeast(sums, kernel.outHeight * kernel.outWidth);
            int taps = kernel.tapStart.length;
            if (this.taps.length < taps) {
                this.taps = Arrays.copyOf(this.taps, taps);
            }
            for (int t = 0; t < taps; t++) {
                this.taps[t] = atLeast(this.taps[t], chunk);
            }
            layout = kernel;
            return this;
        }

        private static float[] atLeast(float[] array, int size) {
            return array != null && array.length >= size ? array : new float[size];
        }
    }
}
