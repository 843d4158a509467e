package xportdnn.sim;

import xportdnn.precision.Requantizer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.ConvGeometry;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;

/**
 * A 2-D convolution (groups, stride, padding, dilation) of integer input codes with integer weight codes, each
 * output channel's exact accumulator requantized into output codes.
 *
 * <p>The multiply-accumulate runs as an im2col of the codes (as floats: codes have at most 24 bits, which
 * float32 holds exactly) followed by one ND4J matrix product (BLAS sgemm/dgemm) per group and run of images
 * (several images side by side when their planes are small), in float32 when that is exact and in float64
 * otherwise; the requantization reads each image's part of the product into that image's output planes.
 * Float32 is the fastest exact choice here (the README's "Speed and memory" says why). Why it is exact: with P the largest |input code| times the largest |weight code| and
 * K = (input channels / group) x kernel height x kernel width, every product is an integer of magnitude at most P
 * and every intermediate value a GEMM forms (in any order, blocking or with fused multiply-add) is a sum of some
 * of the K products, an integer of magnitude at most K x P. While K x P <= 2^24 all of them are representable in
 * float32's 24-bit significand, so every multiplication and addition is exact and the result is the exact integer
 * sum; float64 does the same up to 2^53. im2col only copies codes (and the zeros of the padding), so the
 * accumulator equals the plain long-integer sum, bit for bit.
 */
final class IntConvolution {

    private static final double FLOAT_EXACT = 0x1p24;
    private static final double DOUBLE_EXACT = 0x1p53;
    /** Elements of work below which splitting a loop across threads costs more than it gains. */
    private static final long PARALLEL_WORK = 1 << 15;
    /**
     * Columns (images x output pixels) one matrix product takes at most, unless one image has more: enough images of
     * a small late layer go into one product to keep it efficient, while the column matrix stays a few MiB.
     */
    private static final int GEMM_COLUMNS = 4096;

    private final ConvGeometry geometry;
    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outChannels;
    private final int outHeight;
    private final int outWidth;
    private final int group;
    /** Rows of the column matrix: (input channels / group) x kernel taps. */
    private final int k;
    private final DataType type;
    /** Per group, its output channels' weight codes as a [outChannels/group, K] matrix of {@link #type}. */
    private final List<INDArray> weights = new ArrayList<>();
    private final Requantizer requantizer;
    /** A 1x1 kernel with unit stride and no padding: the column matrix is the input itself. */
    private final boolean pointwise;
    /**
     * Working memory kept from one forward to the next (allocating and first touching off-heap memory costs more
     * than many layers' arithmetic): the column matrix in Java and in ND4J, and the product in ND4J and in Java.
     * Allocated on the first forward; not for concurrent use.
     */
    private final ReusedCodes output = new ReusedCodes();
    private float[] columns;
    private float[] accumulators;
    private double[] wideAccumulators;
    /** Per GEMM width (columns), the ND4J column matrix and product of that width. */
    private final Map<Integer, INDArray[]> matrices = new HashMap<>();

    /**
     * @param geometry       the convolution's geometry
     * @param input          the input shape N x C x H x W (N is ignored: any batch runs)
     * @param weightCodes    codes of the weights, [out, in/group, kh, kw] in C order
     * @param requantizer    per output channel
     * @param inputMagnitude the largest |code| an input can hold
     * @param layer          for error messages
     */
    IntConvolution(ConvGeometry geometry, int[] input, int[] weightCodes, Requantizer requantizer, int inputMagnitude,
            String layer) {
        if (input.length != 4 || geometry.kernel().length != 2) {
            throw ModelException.inLayer(layer, "only 2-D convolution over a 4-D input is simulated");
        }
        this.geometry = geometry;
        inChannels = input[1];
        inHeight = input[2];
        inWidth = input[3];
        int[] out = geometry.outputShape(input, false);
        outChannels = out[1];
        outHeight = out[2];
        outWidth = out[3];
        group = geometry.group();
        if (requantizer.channels() != outChannels) {
            throw new IllegalArgumentException(requantizer.channels() + " requantizer channels for " + outChannels
                    + " outputs");
        }
        this.requantizer = requantizer;
        pointwise = geometry.kernelVolume() == 1 && Arrays.stream(geometry.stride()).allMatch(v -> v == 1)
                && Arrays.stream(geometry.pad()).allMatch(v -> v == 0);
        k = (inChannels / group) * (int) geometry.kernelVolume();
        long columnValues = (long) k * outHeight * outWidth; // the im2col buffer of one image and group
        if (columnValues > Shapes.MAX_VALUES) {
            throw ModelException.inLayer(layer, "its im2col buffer (" + k + " x " + outHeight + " x " + outWidth
                    + " values) exceeds what one array can hold (" + Shapes.MAX_VALUES + "); use a smaller input");
        }
        if ((long) k * outChannels != weightCodes.length) {
            throw ModelException.inLayer(layer, "has " + weightCodes.length + " weights, its geometry needs "
                    + outChannels + " x " + k);
        }
        int maxWeight = 0;
        for (int w : weightCodes) {
            maxWeight = Math.max(maxWeight, Math.abs(w));
        }
        double bound = (double) k * inputMagnitude * maxWeight;
        if (bound > DOUBLE_EXACT) {
            throw ModelException.inLayer(layer, "its accumulator can reach " + bound + ", beyond exact simulation");
        }
        type = bound <= FLOAT_EXACT ? DataType.FLOAT : DataType.DOUBLE;
        try {
            requantizer.requireRange(bound);
        } catch (IllegalArgumentException e) {
            throw ModelException.inLayer(layer, "its requantization cannot be simulated exactly: " + e.getMessage());
        }
        INDArray all = Nd4j.createFromArray(weightCodes).castTo(type).reshape('c', outChannels, k);
        int perGroup = outChannels / group;
        for (int g = 0; g < group; g++) {
            weights.add(all.get(NDArrayIndex.interval(g * perGroup, (g + 1) * perGroup), NDArrayIndex.all()).dup('c'));
        }
    }

    /** FLOAT or DOUBLE: the type the matrix product runs in, the narrowest whose sums are exact. */
    DataType accumulatorType() {
        return type;
    }

    int[] outputShape(int batch) {
        return new int[] {batch, outChannels, outHeight, outWidth};
    }

    /**
     * The output codes of {@code batch} images of input codes (N x C x H x W, C order), in an array the next call
     * overwrites.
     */
    int[] forward(int[] input, int batch) {
        int pixels = outHeight * outWidth;
        int outPerGroup = outChannels / group;
        int chunk = Math.max(1, Math.min(batch, GEMM_COLUMNS / pixels));
        if (columns == null || columns.length < k * chunk * pixels) {
            columns = new float[k * chunk * pixels];
            accumulators = new float[type == DataType.FLOAT ? outPerGroup * chunk * pixels : 0];
            wideAccumulators = new double[type == DataType.DOUBLE ? outPerGroup * chunk * pixels : 0];
            matrices.clear();
        }
        int[] out = output.get(batch * outChannels * pixels);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            convolve(input, n0, Math.min(chunk, batch - n0), out);
        }
        return out;
    }

    /** The output codes of images n0 .. n0 + images - 1 into {@code out}, one matrix product per group. */
    private void convolve(int[] input, int n0, int images, int[] out) {
        int pixels = outHeight * outWidth;
        int outPerGroup = outChannels / group;
        int cols = images * pixels;
        INDArray[] m = matrices.computeIfAbsent(cols, c -> new INDArray[] {
                Nd4j.createUninitialized(DataType.FLOAT, k, c), Nd4j.createUninitialized(type, outPerGroup, c)});
        FloatBuffer columnMatrix = m[0].data().asNioFloat();
        for (int g = 0; g < group; g++) {
            im2col(input, n0, images, g, columnMatrix);
            INDArray b = type == DataType.FLOAT ? m[0] : m[0].castTo(type);
            Nd4j.gemm(weights.get(g), b, m[1], false, false, 1.0, 0.0);
            RowWriter writer;
            if (type == DataType.FLOAT) {
                float[] acc = accumulators;
                FloatBuffer product = m[1].data().asNioFloat();
                writer = (row, channel, to) -> {
                    product.get(row, acc, row, cols);
                    for (int i = 0; i < images; i++) {
                        requantizer.apply(acc, row + i * pixels, pixels, channel, out, to + i * outChannels * pixels);
                    }
                };
            } else {
                double[] acc = wideAccumulators;
                DoubleBuffer product = m[1].data().asNioDouble();
                writer = (row, channel, to) -> {
                    product.get(row, acc, row, cols);
                    for (int i = 0; i < images; i++) {
                        requantizer.apply(acc, row + i * pixels, pixels, channel, out, to + i * outChannels * pixels);
                    }
                };
            }
            // product row c holds channel first + c of every image in turn: each image's run goes to its plane; each
            // row is copied out of ND4J by the thread that requantizes it
            int first = g * outPerGroup;
            parallel(outPerGroup, cols, c -> writer.write(c * cols, first + c, (n0 * outChannels + first + c) * pixels));
        }
    }

    /**
     * Requantizes row {@code row} (an offset) of the product, channel {@code channel} of every image of the run,
     * into the output planes of that channel, the first image's at {@code to}.
     */
    @FunctionalInterface
    private interface RowWriter {
        void write(int row, int channel, int to);
    }

    /**
     * The [K, images x pixels] column matrix of group {@code g} of images n0.. n0 + images - 1 into
     * {@link #columns}: row (channel, ky, kx) holds, image after image, for every output pixel the input code that
     * kernel tap multiplies (0 in the padding).
     */
    private void im2col(int[] in, int n0, int images, int g, FloatBuffer matrix) {
        int inPerGroup = inChannels / group;
        int taps = (int) geometry.kernelVolume();
        int pixels = outHeight * outWidth;
        int cols = images * pixels;
        parallel(images * inPerGroup, taps * pixels, job -> {
            int i = job / inPerGroup;
            int c = job % inPerGroup;
            int plane = ((n0 + i) * inChannels + g * inPerGroup + c) * inHeight * inWidth;
            int dst = c * taps * cols + i * pixels;
            if (pointwise) {
                for (int p = 0; p < pixels; p++) {
                    columns[dst + p] = in[plane + p];
                }
            } else {
                channelColumns(in, plane, dst, cols);
            }
            for (int t = 0; t < taps; t++) { // into ND4J's matrix by the thread that wrote the rows, while cached
                matrix.put(dst + t * cols, columns, dst + t * cols, pixels);
            }
        });
    }

    /**
     * The rows of one input channel (its plane starting at {@code plane}) for one image: tap t's run of pixels goes
     * to {@code dst + t * rowLength}.
     */
    private void channelColumns(int[] in, int plane, int dst, int rowLength) {
        float[] columns = this.columns;
        int kh = geometry.kernel()[0];
        int kw = geometry.kernel()[1];
        int sh = geometry.stride()[0];
        int sw = geometry.stride()[1];
        int ph = geometry.pad()[0];
        int pw = geometry.pad()[1];
        int dh = geometry.dilation()[0];
        int dw = geometry.dilation()[1];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++, dst += rowLength) {
                int dx = kx * dw - pw;
                // the output columns whose input column ox * sw + dx lies inside the input
                int first = Math.min(outWidth, Math.max(0, ceilDiv(-dx, sw)));
                int end = Math.max(first, Math.min(outWidth, ceilDiv(inWidth - dx, sw)));
                if (sw == 1 && sh == 1 && outWidth == inWidth) {
                    shiftedPlane(in, plane, dst, ky * dh - ph, dx, first, end);
                    continue;
                }
                for (int oy = 0, row = dst; oy < outHeight; oy++, row += outWidth) {
                    int iy = oy * sh - ph + ky * dh;
                    if (iy < 0 || iy >= inHeight) {
                        Arrays.fill(columns, row, row + outWidth, 0f);
                        continue;
                    }
                    int src = plane + iy * inWidth + dx;
                    Arrays.fill(columns, row, row + first, 0f);
                    if (sw == 1) { // a unit stride the JIT vectorizes
                        for (int ox = first; ox < end; ox++) {
                            columns[row + ox] = in[src + ox];
                        }
                    } else {
                        for (int ox = first; ox < end; ox++) {
                            columns[row + ox] = in[src + ox * sw];
                        }
                    }
                    Arrays.fill(columns, row + end, row + outWidth, 0f);
                }
            }
        }
    }

    /**
     * One tap's row of the column matrix when the output plane has the input's width and unit strides (a KxK
     * kernel padded to keep the plane's size, as SqueezeNet's 3x3 convolutions are): output pixel p reads input
     * pixel p + dy x width + dx, so the rows of the output whose input row exists are one shifted copy of the
     * plane, one long loop the JIT vectorizes instead of one short loop per row. The copy also writes the columns
     * outside first..end (they read the neighbouring input row), which are zeroed after it; it starts at the first
     * row's column {@code first} and ends at the last row's column {@code end}, so it reads inside the plane only.
     */
    private void shiftedPlane(int[] in, int plane, int dst, int dy, int dx, int first, int end) {
        float[] columns = this.columns;
        int oy0 = Math.min(outHeight, Math.max(0, -dy)); // the output rows whose input row oy + dy exists
        int oy1 = Math.max(oy0, Math.min(outHeight, inHeight - dy));
        Arrays.fill(columns, dst, dst + oy0 * outWidth, 0f);
        Arrays.fill(columns, dst + oy1 * outWidth, dst + outHeight * outWidth, 0f);
        if (oy0 == oy1 || first == end) {
            Arrays.fill(columns, dst + oy0 * outWidth, dst + oy1 * outWidth, 0f);
            return;
        }
        int from = oy0 * outWidth + first;
        int to = (oy1 - 1) * outWidth + end;
        int src = plane + dy * inWidth + dx;
        int d = dst;
        for (int p = from; p < to; p++) {
            columns[d + p] = in[src + p];
        }
        for (int oy = oy0, row = dst + oy0 * outWidth; oy < oy1; oy++, row += outWidth) {
            Arrays.fill(columns, row, row + first, 0f);
            Arrays.fill(columns, row + end, row + outWidth, 0f);
        }
    }

    /** Runs {@code body} for 0..count-1, in parallel when there are enough {@code perItem} elements to share. */
    static void parallel(int count, int perItem, java.util.function.IntConsumer body) {
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, count);
        ((long) count * perItem >= PARALLEL_WORK ? range.parallel() : range).forEach(body);
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
