package xportdnn.sim;

import java.util.Arrays;
import xportdnn.engine.layers.DepthwiseLayout;
import xportdnn.model.ConvGeometry;
import xportdnn.precision.Requantizer;

/**
 * A depthwise convolution (several groups of one input channel, any channel multiplier, stride, padding and
 * dilation as Caffe's) of integer codes with int accumulators, each output channel's sums requantized as they come.
 *
 * <p>The codes are widened into int planes laid out as {@link DepthwiseLayout} describes (the float engine's
 * {@code DepthwiseKernel} computes on the same layout). Shifted reads of one plane ran scalar at about 2-3 ns per
 * output pixel for a 3x3 kernel, each tap's own run and the vector loop at about 0.8. The sums are exact in int (the
 * caller admits sums of at most 2^24, which the requantizer's int path takes as they are) and requantized in place;
 * each plane's rows are then moved side by side and narrowed into the output codes in one run.
 */
final class IntDepthwise {

    /**
     * Per thread, its working arrays, kept from call to call: allocating them per plane costs more than a small
     * plane's arithmetic.
     */
    private static final ThreadLocal<Working> WORKING = ThreadLocal.withInitial(Working::new);

    private final DepthwiseLayout layout;
    /** The weight codes, {@code [out channels, kh x kw]}. */
    private final int[] weights;
    private final Requantizer requantizer;

    /**
     * @param geometry    a depthwise geometry (group = input channels) over {@code input}
     * @param input       the input shape N x C x H x W (N is ignored)
     * @param weightCodes {@code [out channels, 1, kh, kw]} in C order
     * @param requantizer per output channel, for sums up to 2^24
     */
    IntDepthwise(ConvGeometry geometry, int[] input, int[] weightCodes, Requantizer requantizer) {
        layout = new DepthwiseLayout(geometry, input);
        weights = weightCodes;
        this.requantizer = requantizer;
    }

    /**
     * The output codes of {@code batch} images of input codes into {@code out}: the layout's units (an input channel
     * of a group of images) across threads where {@link IntConvolution#parallel} splits them.
     */
    void run(Codes input, int batch, Codes out) {
        int units = layout.units(batch);
        IntConvolution.parallel(units, (int) (layout.multiplyAdds(batch) / units),
                unit -> unit(input, unit, batch, out));
    }

    /** The output codes of unit {@code unit} of a batch of {@code batch} images. */
    private void unit(Codes input, int unit, int batch, Codes out) {
        Working w = WORKING.get().laidOutFor(layout);
        int channel = layout.unitChannel(unit);
        int first = layout.unitFirstImage(unit);
        int images = layout.unitImages(unit, batch);
        int inPlanes = layout.inChannels() * layout.planeSize();
        for (int g = 0; g < images; g++) {
            split(input, (first + g) * inPlanes + channel * layout.planeSize(), w.plane, w.phases, g);
        }
        int outHeight = layout.outHeight();
        int multiplier = layout.multiplier();
        int outPlanes = layout.outChannels() * layout.outputSize();
        if (layout.grouped()) { // small planes: each tap's runs of all the images in one copy
            int length = layout.groupRun(images);
            copyTaps(w, 0, length);
            for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
                sums(w, o, length);
                for (int g = 0; g < images; g++) {
                    store(w.acc, layout.imageOffset(g), outHeight, out,
                            (first + g) * outPlanes + o * layout.outputSize());
                }
            }
            return;
        }
        for (int oy = 0; oy < outHeight; oy += layout.chunkRows()) {
            int rows = Math.min(layout.chunkRows(), outHeight - oy);
            copyTaps(w, oy * layout.phaseWidth(), layout.run(rows));
            for (int o = channel * multiplier; o < (channel + 1) * multiplier; o++) {
                sums(w, o, layout.run(rows));
                store(w.acc, 0, rows, out, first * outPlanes + o * layout.outputSize() + oy * layout.outWidth());
            }
        }
    }

    /**
     * The input plane at {@code plane} widened into its phases' places for image {@code g} of the group. At unit
     * column stride the whole plane is one widening run (MobileNet's late planes have rows of 7 and 14 codes), then
     * copied row by row; else each row's column phases are widened from the codes where they lie (measured faster
     * than widening the plane first and then splitting it).
     */
    private void split(Codes input, int plane, int[] rows, int[] phases, int g) {
        int width = layout.inWidth();
        int stride = layout.strideWidth();
        if (stride == 1) {
            input.read(plane, rows, 0, layout.planeSize());
        }
        for (int y = 0; y < layout.inHeight(); y++) {
            int row = layout.rowStart(g, y);
            if (stride == 1) {
                System.arraycopy(rows, y * width, phases, row + layout.columnStart(0), width);
                continue;
            }
            for (int rx = 0; rx < stride; rx++) {
                if (layout.columns(rx) > 0) {
                    input.read(plane + y * width + layout.firstColumn(rx), stride, phases, row + layout.columnStart(rx),
                            layout.columns(rx));
                }
            }
        }
    }

    /** Each tap's run of {@code length} sums from wide position {@code from} of the phases to its array's start. */
    private void copyTaps(Working w, int from, int length) {
        for (int t = 0; t < layout.taps(); t++) {
            System.arraycopy(w.phases, layout.tapStart(t) + from, w.taps[t], 0, length);
        }
    }

    /** Output channel {@code channel}'s requantized sums of the taps' first {@code length} values. */
    private void sums(Working w, int channel, int length) {
        int[] acc = w.acc;
        int[][] runs = w.taps;
        int taps = layout.taps();
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
        int outWidth = layout.outWidth();
        for (int r = 1; r < rows; r++) {
            System.arraycopy(acc, at + r * layout.phaseWidth(), acc, at + r * outWidth, outWidth);
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
        /** The layout whose zero frame {@link #phases} holds (its planes overwrite only their own places). */
        private DepthwiseLayout layout;

        /** These arrays, large enough for {@code next}, its phases' frame zero. */
        Working laidOutFor(DepthwiseLayout next) {
            if (layout == next) {
                return this;
            }
            int size = next.phasesLength();
            if (phases.length < size) {
                phases = new int[size];
            } else {
                Arrays.fill(phases, 0, size, 0);
            }
            if (plane.length < next.planeSize()) {
                plane = new int[next.planeSize()];
            }
            int chunk = next.chunkLength();
            if (acc.length < chunk) {
                acc = new int[chunk];
            }
            if (taps.length < next.taps()) {
                taps = Arrays.copyOf(taps, next.taps());
            }
            for (int t = 0; t < next.taps(); t++) {
                if (taps[t] == null || taps[t].length < chunk) {
                    taps[t] = new int[chunk];
                }
            }
            layout = next;
            return this;
        }
    }
}
