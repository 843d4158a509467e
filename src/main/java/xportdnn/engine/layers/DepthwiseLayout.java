package xportdnn.engine.layers;

import xportdnn.model.ConvGeometry;

/**
 * Where the values of a depthwise convolution (several groups of one input channel, any channel multiplier; stride,
 * padding and dilation as Caffe's) lie while {@link DepthwiseKernel} (float) and the simulator's
 * {@code sim.IntDepthwise} (int codes) compute it: only the index arithmetic, which both share; each kernel keeps its
 * own loops over its own element type, so that the JIT compiles (and vectorizes) each for one array type.
 *
 * <p>Each input plane is copied into planes of the padded size split by phase: at strides sh x sw, phase (ry, rx)
 * holds the padded rows ry, ry + sh, ... and of them the columns rx, rx + sw, ... (at unit strides the one phase is
 * the padded plane), inside a zero frame that no plane overwrites. Output pixel (oy, ox) reads for tap (ky, kx)
 * padded row oy sh + ky dh and column ox sw + kx dw: row oy + (ky dh) / sh and column ox + (kx dw) / sw of phase
 * ((ky dh) mod sh, (kx dw) mod sw). Laid out at the phases' width, every tap is then one unit-stride run over the
 * whole output plane (the columns beyond the output's width are computed and dropped), whatever the stride.
 *
 * <p>A large plane's runs are cut into chunks of {@link #chunkRows} whole output rows; small planes (MobileNet's 7x7
 * and 14x14) go into one chunk with the same channel's planes of the next images, as one run, since runs of a few
 * dozen values stay in the scalar loops the JIT puts around its vector loop. The images of such a group lie phase by
 * phase (phase 0 of each, then phase 1 of each, ...), so that a run reads one phase of each image: with all of an
 * image's phases side by side a run over the group at stride 2 would compute four times the outputs it keeps
 * (MobileNet's stride-2 layers on 28x28 and 14x14 planes were then slower in the float kernel, about 1.2 to 1.6
 * times). The work goes in units of one input channel and one group of images.
 *
 * <p>Each tap's chunk is copied into an array of its own before the multiply-adds, so that their loop reads its taps
 * at the index it writes: the JIT of JDK 17 vectorizes a loop only when all its accesses to arrays of one element
 * type sit at the same offset from the loop index, which shifted reads of one plane do not (they ran scalar).
 */
public final class DepthwiseLayout {

    /** Output values a chunk holds at least (whole rows of the phases' width): 9 taps of it stay in the L2 cache. */
    private static final int CHUNK = 2048;

    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outChannels;
    private final int outHeight;
    private final int outWidth;
    private final int kh;
    private final int kw;
    private final int padTop;
    private final int padLeft;
    private final int strideH;
    private final int strideW;
    /** Each phase's width (the padded plane's divided by the stride, rounded up) and size. */
    private final int phaseWidth;
    private final int phaseSize;
    /**
     * Images whose planes of one channel go into one chunk: several where a phase is small, so that each tap is one
     * copy and each loop one run for all of them; else 1, and the plane's output rows go in chunks of
     * {@link #chunkRows}.
     */
    private final int groupImages;
    private final int chunkRows;
    /** Per tap (ky, kx), where its run starts in the phases: the phase's start + row x phase width + column. */
    private final int[] tapStart;
    /**
     * Per column phase, a row's first input column and values in it, and where they start in the phases' row (kept,
     * since the kernels ask for every input row).
     */
    private final int[] firstColumn;
    private final int[] columns;
    private final int[] columnStart;

    /**
     * @param geometry a depthwise geometry (group = input channels) over {@code input}
     * @param input    the input shape N x C x H x W (N is ignored)
     */
    public DepthwiseLayout(ConvGeometry geometry, int[] input) {
        if (!isDepthwise(geometry, input)) {
            throw new IllegalArgumentException("not a 2-D depthwise convolution");
        }
        int[] out = geometry.outputShape(input, false);
        inChannels = input[1];
        inHeight = input[2];
        inWidth = input[3];
        outChannels = out[1];
        outHeight = out[2];
        outWidth = out[3];
        kh = geometry.kernel()[0];
        kw = geometry.kernel()[1];
        padTop = geometry.pad()[0];
        padLeft = geometry.pad()[1];
        strideH = geometry.stride()[0];
        strideW = geometry.stride()[1];
        phaseWidth = ceilDiv(inWidth + 2 * padLeft, strideW);
        phaseSize = ceilDiv(inHeight + 2 * padTop, strideH) * phaseWidth;
        groupImages = Math.max(1, CHUNK / phaseSize);
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
        firstColumn = new int[strideW];
        columns = new int[strideW];
        columnStart = new int[strideW];
        for (int rx = 0; rx < strideW; rx++) {
            firstColumn[rx] = Math.floorMod(rx - padLeft, strideW);
            columns[rx] = ceilDiv(inWidth - firstColumn[rx], strideW);
            columnStart[rx] = phaseStart(0, rx) + (firstColumn[rx] + padLeft) / strideW;
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

    public int inChannels() {
        return inChannels;
    }

    public int inWidth() {
        return inWidth;
    }

    public int inHeight() {
        return inHeight;
    }

    public int outChannels() {
        return outChannels;
    }

    public int outHeight() {
        return outHeight;
    }

    public int outWidth() {
        return outWidth;
    }

    /** Output channels per input channel. */
    public int multiplier() {
        return outChannels / inChannels;
    }

    public int kernelHeight() {
        return kh;
    }

    public int kernelWidth() {
        return kw;
    }

    /** The taps, kh x kw. */
    public int taps() {
        return tapStart.length;
    }

    /** Where tap {@code t}'s run starts in the phases' array. */
    public int tapStart(int t) {
        return tapStart[t];
    }

    public int strideWidth() {
        return strideW;
    }

    /** The width of the wide sums' rows (the phases'). */
    public int phaseWidth() {
        return phaseWidth;
    }

    /** Whether a unit's images go into one chunk, which holds all their output planes. */
    public boolean grouped() {
        return groupImages > 1;
    }

    /** Output rows per chunk of one plane, where a unit holds one image. */
    public int chunkRows() {
        return chunkRows;
    }

    /** How many units {@code images} images make: groups of images times input channels. */
    public int units(int images) {
        return ceilDiv(images, groupImages) * inChannels;
    }

    /** The input channel of unit {@code unit}. */
    public int unitChannel(int unit) {
        return unit % inChannels;
    }

    /** The first image of unit {@code unit}. */
    public int unitFirstImage(int unit) {
        return unit / inChannels * groupImages;
    }

    /** How many images unit {@code unit} holds of a batch of {@code images}. */
    public int unitImages(int unit, int images) {
        return Math.min(groupImages, images - unitFirstImage(unit));
    }

    /** The multiply-adds of {@code images} images. */
    public long multiplyAdds(int images) {
        return (long) images * outChannels * outHeight * outWidth * tapStart.length;
    }

    /** Where image {@code g} of a group starts in each phase and in the group's wide sums. */
    public int imageOffset(int g) {
        return g * phaseSize;
    }

    /**
     * The wide sums of {@code rows} output rows: they end at the last row's last output column, so that no tap
     * reads past its phase.
     */
    public int run(int rows) {
        return (rows - 1) * phaseWidth + outWidth;
    }

    /** The wide sums of a group of {@code images} images' output planes, each at its {@link #imageOffset}. */
    public int groupRun(int images) {
        return imageOffset(images - 1) + run(outHeight);
    }

    /**
     * Where input row {@code y} of image {@code g} of the group goes in the phases' array: padded row y + pad's row of
     * phase ((y + pad) mod sh, 0); its column phase rx starts {@link #columnStart} further.
     */
    public int rowStart(int g, int y) {
        int py = y + padTop;
        return imageOffset(g) + phaseStart(py % strideH, 0) + py / strideH * phaseWidth;
    }

    /** The input column where column phase {@code rx} of a row starts: its first x with (x + pad) mod sw = rx. */
    public int firstColumn(int rx) {
        return firstColumn[rx];
    }

    /** How many of an input row's values go to column phase {@code rx}: every sw-th from its first column. */
    public int columns(int rx) {
        return columns[rx];
    }

    /** Where column phase {@code rx}'s values of an input row start from the row's {@link #rowStart}. */
    public int columnStart(int rx) {
        return columnStart[rx];
    }

    /** The size of an input plane. */
    public int planeSize() {
        return inHeight * inWidth;
    }

    /** The size of an output plane. */
    public int outputSize() {
        return outHeight * outWidth;
    }

    /** The size of the phases' array of a group, frame included. */
    public int phasesLength() {
        return groupImages * strideH * strideW * phaseSize;
    }

    /** The size of a chunk: of each tap's run and of the wide sums. */
    public int chunkLength() {
        return grouped() ? groupImages * phaseSize : chunkRows * phaseWidth;
    }
}
