package xportdnn.sim;

import java.util.Arrays;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.Requantizer;

/**
 * A depthwise convolution (several groups of one input channel, any channel multiplier, stride, padding and
 * dilation as Caffe's) of integer codes with int accumulators, each output channel's sums requantized as they come.
 *
 * <p>Each input plane is widened into int planes of the padded size split by phase: at strides sh x sw, phase
 * (ry, rx) holds the padded rows ry, ry + sh, ... and of them the columns rx, rx + sw, ... (at unit strides the one
 * phase is the padded plane), inside a zero frame that no plane overwrites. Output pixel (oy, ox) reads for tap
 * (ky, kx) padded row oy sh + ky dh and column ox sw + kx dw: row oy + (ky dh) / sh and column ox + (kx dw) / sw of
 * phase ((ky dh) mod sh, (kx dw) mod sw). Laid out at the phases' width, every tap is then one unit-stride run over
 * the whole output plane (the columns beyond the output's width are computed and dropped), whatever the stride.
 *
 * <p>A large plane's runs are cut into chunks of whole output rows; small planes (MobileNet's 7x7 and 14x14) go
 * into one chunk with the same channel's planes of the next images, as one run, since runs of a few dozen values
 * stay in the scalar loops the JIT puts around its vector loop. Each tap's chunk is first copied into an array of
 * its own, so that the multiply-add loop reads its taps at the index it writes: the JIT of JDK 17 vectorizes a loop
 * only when all its accesses to arrays of one element type sit at the same offset from the loop index, which
 * shifted reads of one plane do not (they ran scalar: about 2-3 ns per output pixel for a 3x3 kernel, the copies
 * and the vector loop about 0.8). The sums are exact in int (the caller admits sums of at most 2^24, which the
 * requantizer's int path takes as they are) and requantized in place; each plane's rows are then moved side by
 * side and narrowed into the output codes in one run.
 */
final class IntDepthwise {

    /** Output values a chunk holds at least (whole rows of the phases' width): 9 taps of it stay in the L2 cache. */
    private static final int CHUNK = 2048;

    /**
     * Per thread, its working arrays, kept from call to call: allocating them per plane costs more than a small
     * plane's arithmetic.
     */
    private static final ThreadLocal<Working> WORKING = ThreadLocal.withInitial(Working::new);

    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outChannels;
    private final int outHeight;
    private final int outWidth;
    private final int multiplier;
    private final int taps;
    /** The weight codes, {@code [out channels, kh x kw]}. */
    private final int[] weights;
    private final Requantizer requantizer;
    private final int padTop;
    private final int padLeft;
    private final int strideH;
    private final int strideW;
    /** Each phase's width and height (the padded plane's divided by the strides, rounded up). */
    private final int phaseWidth;
    private final int phaseHeight;
    /** Per tap (ky, kx), where its run starts in the phases: the phase's start + row x phase width + column. */
    private final int[] tapStart;
    /** The size of one input plane's phases. */
    private final int phasesSize;
    /**
     * Images whose planes of one channel go into one chunk: several where a plane's phases are small, so that each
     * tap is one copy and each loop one run for all of them; else 1, and the plane's output rows go in chunks of
     * {@link #chunkRows}.
     */
    private final int groupImages;
    /** Output rows per chunk of one plane. */
    private final int chunkRows;

    /**
     * @param geometry    a depthwise geometry (group = input channels) over {@code input}
     * @param input       the input shape N x C x H x W (N is ignored)
     * @param weightCodes {@code [out channels, 1, kh, kw]} in C order
     * @param requantizer per output channel, for sums up to 2^24
     */
    IntDepthwise(ConvGeometry geometry, int[] input, int[] weightCodes, Requantizer requantizer) {
        int[] out = geometry.outputShape(input, false);
        inChannels = input[1];
        inHeight = input[2];
        inWidth = input[3];
        outChannels = out[1];
        outHeight = out[2];
        outWidth = out[3];
        multiplier = outChannels / inChannels;
        int kh = geometry.kernel()[0];
        int kw = geometry.kernel()[1];
        taps = kh * kw;
        weights = weightCodes;
        this.requantizer = requantizer;
        padTop = geometry.pad()[0];
        padLeft = geometry.pad()[1];
        strideH = geometry.stride()[0];
        strideW = geometry.stride()[1];
        phaseHeight = IntConvolution.ceilDiv(inHeight + 2 * padTop, strideH);
        phaseWidth = IntConvolution.ceilDiv(inWidth + 2 * padLeft, strideW);
        tapStart = new int[taps];
        for (int ky = 0; ky < kh; ky++) {
            int dy = ky * geometry.dilation()[0];
            for (int kx = 0; kx < kw; kx++) {
                int dx = kx * geometry.dilation()[1];
                tapStart[ky * kw + kx] = phaseStart(dy % strideH, dx % strideW) + dy / strideH * phaseWidth
                        + dx / strideW;
            }
        }
        phasesSize = strideH * strideW * phaseHeight * phaseWidth;
        groupImages = Math.max(1, CHUNK / phasesSize);
        chunkRows = Math.min(outHeight, Math.max(1, CHUNK / phaseWidth));
    }

    /** Where phase (ry, rx) starts in the phases' array. */
    private int phaseStart(int ry, int rx) {
        return (ry * strideW + rx) * phaseHeight * phaseWidth;
    }

    /**
     * The output codes of {@code batch} images of input codes into {@code out}: per input channel, the images in
     * groups of {@link #groupImages}, the groups across threads where {@link IntConvolution#parallel} splits them.
     */
    void run(Codes input, int batch, Codes out) {
        int pixels = outHeight * outWidth;
        IntConvolution.parallel(IntConvolution.ceilDiv(batch, groupImages) * inChannels,
                groupImages * multiplier * pixels * taps, group -> {
                    Working w = WORKING.get().laidOutFor(this);
                    int channel = group % inChannels;
                    int first = group / inChannels * groupImages;
                    int images = Math.min(groupImages, batch - first);
                    for (int g = 0; g < images; g++) {
                        split(input, ((first + g) * inChannels + channel) * inHeight * inWidth, w.plane, w.phases,
                                g * phasesSize);
                    }
                    if (groupImages > 1) { // small planes: each tap's runs of all the images in one copy
                        int length = (images - 1) * phasesSize + run(outHeight);
                        copyTaps(w, 0, length);
                        for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
                            sums(w, o, length);
                            for (int g = 0; g < images; g++) {
                                store(w.acc, g * phasesSize, outHeight, out, ((first + g) * outChannels + o) * pixels);
                            }
                        }
                        return;
                    }
                    for (int oy = 0; oy < outHeight; oy += chunkRows) {
                        int rows = Math.min(chunkRows, outHeight - oy);
                        copyTaps(w, oy * phaseWidth, run(rows));
                        for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
                            sums(w, o, run(rows));
                            store(w.acc, 0, rows, out, (first * outChannels + o) * pixels + oy * outWidth);
                        }
                    }
                });
    }

    /**
     * The wide sums of {@code rows} output rows: they end at the last row's last output column, so that no tap
     * reads past its phase.
     */
    private int run(int rows) {
        return (rows - 1) * phaseWidth + outWidth;
    }

    /**
     * The input plane at {@code plane} widened into its phases' places at {@code to}, inside their zero frame. At
     * unit column stride the whole plane is one widening run (MobileNet's late planes have rows of 7 and 14 codes),
     * then copied row by row; else each row's column phases are widened from the codes where they lie (measured
     * faster than widening the plane first and then splitting it).
     */
    private void split(Codes input, int plane, int[] rows, int[] phases, int to) {
        if (strideW == 1) {
            input.read(plane, rows, 0, inHeight * inWidth);
        }
        for (int y = 0; y < inHeight; y++) {
            int py = y + padTop;
            int row = to + phaseStart(py % strideH, 0) + py / strideH * phaseWidth;
            if (strideW == 1) {
                System.arraycopy(rows, y * inWidth, phases, row + padLeft, inWidth);
                continue;
            }
            for (int rx = 0; rx < strideW; rx++) {
                int x0 = Math.floorMod(rx - padLeft, strideW); // the first input column of column phase rx
                if (x0 < inWidth) {
                    input.read(plane + y * inWidth + x0, strideW, phases, row + phaseStart(0, rx)
                            + (x0 + padLeft) / strideW, IntConvolution.ceilDiv(inWidth - x0, strideW));
                }
            }
        }
    }

    /** Each tap's run of {@code length} sums from wide position {@code from} of the phases to its array's start. */
    private void copyTaps(Working w, int from, int length) {
        for (int t = 0; t < taps; t++) {
            System.arraycopy(w.phases, tapStart[t] + from, w.taps[t], 0, length);
        }
    }

    /** Output channel {@code channel}'s requantized sums of the taps' first {@code length} values. */
    private void sums(Working w, int channel, int length) {
        int[] acc = w.acc;
        int[][] runs = w.taps;
        Arrays.fill(acc, 0, length, 0);
        int k = channel * taps;
        int t = 0;
        for (; t + 3 <= taps; t += 3) {
            threeTaps(runs[t], runs[t + 1], runs[t + 2], weights[k + t], weights[k + t + 1], weights[k + t + 2], acc,
                    length);
        }
        for (; t < taps; t++) {
            tap(runs[t], weights[k + t], acc, length);
        }
        requantizer.applyInPlace(acc, 0, length, channel);
    }

    /**
     * {@code rows} output rows of codes, at {@code at} in {@code acc} at the phases' width, into {@code out} at
     * {@code to}: the rows side by side first, then one narrowing run.
     */
    private void store(int[] acc, int at, int rows, Codes out, int to) {
        for (int r = 1; r < rows; r++) {
            System.arraycopy(acc, at + r * phaseWidth, acc, at + r * outWidth, outWidth);
        }
        out.write(to, acc, at, rows * outWidth);
    }

    /** {@code acc[i] += a x p[i] + b x q[i] + c x r[i]} for i in 0..count-1. */
    private static void threeTaps(int[] p, int[] q, int[] r, int a, int b, int c, int[] acc, int count) {
        for (int i = 0; i < count; i++) {
            acc[i] += a * p[i] + b * q[i] + c * r[i];
        }
    }

    /** {@code acc[i] += a x p[i]} for i in 0..count-1 (the taps beyond the threes). */
    private static void tap(int[] p, int a, int[] acc, int count) {
        for (int i = 0; i < count; i++) {
            acc[i] += a * p[i];
        }
    }

    /** One thread's working arrays: an input plane, the phases, each tap's chunk, the chunk's sums. */
    private static final class Working {
        int[] plane = new int[0];
        int[] phases = new int[0];
        int[][] taps = new int[0][];
        int[] acc = new int[0];
        /** The kernel whose zero frame {@link #phases} holds (its planes overwrite only their own places). */
        private IntDepthwise layout;

        /** These arrays, large enough for {@code kernel}, its phases' frame zero. */
        Working laidOutFor(IntDepthwise kernel) {
            if (layout == kernel) {
                return this;
            }
            int size = kernel.groupImages * kernel.phasesSize;
            if (phases.length < size) {
                phases = new int[size];
            } else {
                Arrays.fill(phases, 0, size, 0);
            }
            if (plane.length < kernel.inHeight * kernel.inWidth) {
                plane = new int[kernel.inHeight * kernel.inWidth];
            }
            int chunk = kernel.groupImages > 1 ? size : kernel.chunkRows * kernel.phaseWidth;
            if (acc.length < chunk) {
                acc = new int[chunk];
            }
            if (taps.length < kernel.taps) {
                taps = Arrays.copyOf(taps, kernel.taps);
            }
            for (int t = 0; t < kernel.taps; t++) {
                if (taps[t] == null || taps[t].length < chunk) {
                    taps[t] = new int[chunk];
                }
            }
            layout = kernel;
            return this;
        }
    }
}
