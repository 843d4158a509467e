package xportdnn.sim;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.engine.BatchShares;
import xportdnn.engine.layers.DepthwiseLayout;
import xportdnn.engine.layers.NativeCall;
import xportdnn.model.ConvGeometry;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.precision.ShareThread;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.Requantizer;

/**
 * A 2-D convolution (groups, stride, padding, dilation) of integer input codes with integer weight codes, each
 * output channel's exact accumulator requantized into output codes.
 *
 * <p>The multiply-accumulate runs as an im2col of the codes followed by one ND4J matrix product per group and run
 * of images (several images side by side when their planes are small): oneDNN's int8 x int8 -> int32 product
 * where the codes fit in int8 and {@link Int8Products} allows it (a CPU with VNNI, whose int32 sums are exact, also
 * past 2^24: a fully connected layer's 25,088 terms then take a byte per weight, not float64's 8), else
 * BLAS sgemm in float32 when that is exact and dgemm in float64 otherwise; the requantization reads each image's
 * part of the product into that image's output planes. These are the fastest exact choices here (docs/speed-history.md,
 * measured with tools/GemmChoice.java, says why). Why the float products are exact: with P the largest
 * |input code| times the largest |weight code| and
 * K = (input channels / group) x kernel height x kernel width, every product is an integer of magnitude at most P
 * and every intermediate value a GEMM forms (in any order, blocking or with fused multiply-add) is a sum of some
 * of the K products, an integer of magnitude at most K x P. While K x P <= 2^24 all of them are representable in
 * float32's 24-bit significand, so every multiplication and addition is exact and the result is the exact integer
 * sum; float64 does the same up to 2^53. im2col only copies codes (and the zeros of the padding), so the
 * accumulator equals the plain long-integer sum, bit for bit.
 *
 * <p>A depthwise convolution (several groups of one input channel) whose sums stay within 2^24 runs without
 * im2col and products instead: {@link IntDepthwise} on the codes in int, the sums requantized as they come. Its
 * groups' matrix products were a few output channels by the kernel's taps each, the slowest part of MobileNet's
 * simulation.
 */
final class IntConvolution implements IntegerStep.Op {

    private static final double FLOAT_EXACT = 0x1p24;
    private static final double DOUBLE_EXACT = 0x1p53;
    /**
     * Most products per sum the int8 product takes: oneDNN makes one side unsigned for {@code vpdpbusd} by adding
     * 128 and subtracts that again afterwards, so its int32 partial sums reach K x 255 x 128, below 2^31 here.
     */
    private static final int INT8_TERMS = 65_535;
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
    /** The product's type: INT (int8 inputs), FLOAT or DOUBLE (float32 inputs, cast to float64 for the product). */
    private final DataType type;
    /**
     * Per group, its output channels' weight codes as a [outChannels/group, K] matrix (int8 or of {@link #type});
     * empty after {@link #close} until a forward makes them again.
     */
    private final List<INDArray> weights = new ArrayList<>();
    /**
     * The weight codes computed again, for weight matrices made again after {@link #close} (a supplier instead of
     * the codes: VGG-16's fc6 as a convolution has 102 million); null for a share, whose weights are the first's.
     */
    private final Supplier<int[]> remadeCodes;
    private final Requantizer requantizer;
    /** Whether sums can pass 2^24: an int8 product's are then requantized in long arithmetic. */
    private final boolean wideSums;
    /** Whether the output codes are held in bytes: the requantizer saturates within -128..127. */
    private final boolean byteOutput;
    /** A 1x1 kernel with unit stride and no padding: the column matrix is the input itself. */
    private final boolean pointwise;
    /** The direct kernel of a depthwise convolution whose sums stay within 2^24, else null. */
    private final IntDepthwise depthwise;
    /**
     * Working memory kept from one forward to the next (allocating and first touching off-heap memory costs more
     * than many layers' arithmetic): per product width the matrices in ND4J with their Java copies. Allocated on
     * the first forward; not for concurrent use.
     */
    private final ReusedCodes output = new ReusedCodes();
    /** The size of the largest column matrix the kept memory serves. */
    private int capacity;
    /** Per GEMM width (columns), the ND4J column matrix and product of that width. */
    private final Map<Integer, Matrices> matrices = new HashMap<>();
    /**
     * The int8 product's op with its native context, built once: building them on every call cost about as much as
     * a small layer's product (the float engine's {@link NativeCall} says how much).
     */
    private final NativeCall int8Product = NativeCall.named("matmul");

    /**
     * @param geometry       the convolution's geometry
     * @param input          the input shape N x C x H x W (N is ignored: any batch runs)
     * @param weightCodes    codes of the weights, [out, in/group, kh, kw] in C order
     * @param requantizer    per output channel
     * @param inputFormat    the input codes' format (their range)
     * @param int8Allowed    whether the int8 product may run ({@link Int8Products#enabled()}: exact on this CPU)
     * @param layer          for error messages
     */
    IntConvolution(ConvGeometry geometry, int[] input, int[] weightCodes, Requantizer requantizer,
            NumberFormat inputFormat, boolean int8Allowed, String layer) {
        this(geometry, input, weightCodes, () -> weightCodes, requantizer, inputFormat, int8Allowed, layer);
    }

    /**
     * As above, {@code remadeCodes} giving the same weight codes again when a forward after {@link #close} makes
     * the weight matrices again.
     */
    IntConvolution(ConvGeometry geometry, int[] input, int[] weightCodes, Supplier<int[]> remadeCodes,
            Requantizer requantizer, NumberFormat inputFormat, boolean int8Allowed, String layer) {
        if (input.length != 4 || geometry.kernel().length != 2) {
            throw ModelException.inLayer(layer, "only 2-D convolution over a 4-D input is simulated");
        }
        this.geometry = geometry;
        this.remadeCodes = remadeCodes;
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
        byteOutput = Codes.fitsBytes(requantizer.lower(), requantizer.upper());
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
        int minWeight = 0;
        int maxWeight = 0;
        for (int w : weightCodes) {
            minWeight = Math.min(minWeight, w);
            maxWeight = Math.max(maxWeight, w);
        }
        int inputMagnitude = Math.max(-inputFormat.minCode(), inputFormat.maxCode());
        double bound = (double) k * inputMagnitude * Math.max(-(double) minWeight, maxWeight);
        if (bound > DOUBLE_EXACT) {
            throw ModelException.inLayer(layer, "its accumulator can reach " + bound + ", beyond exact simulation");
        }
        // the depthwise kernel requantizes its int sums on the requantizer's int path, which takes sums up to 2^24
        depthwise = DepthwiseLayout.isDepthwise(geometry, input) && bound <= FLOAT_EXACT
                ? new IntDepthwise(geometry, input, weightCodes, requantizer) : null;
        // the int8 product's sums are exact in int32 (INT8_TERMS) beyond 2^24 too, where it replaces a float64
        // product of 8 bytes a weight (VGG-16's fc6 at 8 bits: 25,088 terms, 822 MB of float64 weights); the
        // requantizer's int path takes sums up to 2^24 only, so past that they are moved in long (wideSums)
        boolean int8 = depthwise == null && int8Allowed && k <= INT8_TERMS && fitsInt8(minWeight, maxWeight)
                && fitsInt8(inputFormat.minCode(), inputFormat.maxCode());
        type = int8 ? DataType.INT : bound <= FLOAT_EXACT ? DataType.FLOAT : DataType.DOUBLE;
        wideSums = bound > FLOAT_EXACT;
        try {
            requantizer.requireRange(bound);
        } catch (IllegalArgumentException e) {
            throw ModelException.inLayer(layer, "its requantization cannot be simulated exactly: " + e.getMessage());
        }
        if (depthwise == null) {
            makeWeights(weightCodes);
        }
    }

    private void makeWeights(int[] weightCodes) {
        int perGroup = outChannels / group;
        for (int g = 0; g < group; g++) {
            weights.add(matrix(weightCodes, g * perGroup * k, perGroup, k, type));
        }
    }

    /** {@link #weights}, made again from their codes if {@link #close} freed them. */
    private List<INDArray> weightMatrices() {
        if (weights.isEmpty() && depthwise == null) {
            makeWeights(remadeCodes.get());
        }
        return weights;
    }

    /**
     * {@code rows} rows of K weight codes from {@code codes[from]} on as a [rows, K] matrix for a product of
     * {@code type} (int8 codes for INT), written into ND4J code by code: no int32 copy of every code in ND4J, cast
     * and then sliced by group, whose native memory (VGG-16's fc6: 411 MB of int32, then 822 MB of float64 twice)
     * waits for a garbage collection to be freed.
     */
    private static INDArray matrix(int[] codes, int from, int rows, int k, DataType type) {
        INDArray m = Nd4j.createUninitialized(type == DataType.INT ? DataType.BYTE : type, rows, k);
        int n = rows * k;
        switch (type) {
            case INT -> {
                ByteBuffer to = m.data().asNio();
                for (int i = 0; i < n; i++) {
                    to.put(i, (byte) codes[from + i]);
                }
            }
            case FLOAT -> {
                FloatBuffer to = m.data().asNioFloat();
                for (int i = 0; i < n; i++) {
                    to.put(i, codes[from + i]);
                }
            }
            default -> {
                DoubleBuffer to = m.data().asNioDouble();
                for (int i = 0; i < n; i++) {
                    to.put(i, codes[from + i]);
                }
            }
        }
        return m;
    }

    /** Another convolution of the same weights and requantizer (the same objects), its working memory its own. */
    private IntConvolution(IntConvolution from) {
        geometry = from.geometry;
        remadeCodes = null;
        inChannels = from.inChannels;
        inHeight = from.inHeight;
        inWidth = from.inWidth;
        outChannels = from.outChannels;
        outHeight = from.outHeight;
        outWidth = from.outWidth;
        group = from.group;
        k = from.k;
        type = from.type;
        wideSums = from.wideSums;
        weights.addAll(from.weightMatrices());
        requantizer = from.requantizer;
        byteOutput = from.byteOutput;
        pointwise = from.pointwise;
        depthwise = from.depthwise;
    }

    @Override
    public IntConvolution forShare() {
        return new IntConvolution(this);
    }

    /** Per group, the weight codes as a matrix (none for the direct depthwise kernel): read them, never modify them. */
    List<INDArray> weights() {
        return List.copyOf(weightMatrices());
    }

    /** The ND4J arrays it made and holds now: its weight matrices unless it is a share, and its working matrices. */
    List<INDArray> ownArrays() {
        List<INDArray> own = new ArrayList<>(remadeCodes != null ? weights : List.of());
        matrices.values().forEach(m -> own.addAll(m.arrays()));
        return own;
    }

    /**
     * Frees {@link #ownArrays} now, not at some garbage collection: a share's weights are the first convolution's,
     * freed by it (the shares are closed first). A forward after it makes them again; closing twice is harmless.
     */
    @Override
    public void close() {
        ownArrays().forEach(INDArray::close);
        matrices.clear();
        capacity = 0;
        if (remadeCodes != null) {
            weights.clear();
        }
    }

    private static boolean fitsInt8(int min, int max) {
        return min >= Byte.MIN_VALUE && max <= Byte.MAX_VALUE;
    }

    /**
     * The type the matrix product accumulates in: INT (oneDNN's int8 product), else FLOAT or DOUBLE, the narrowest
     * whose sums are exact; FLOAT for the direct depthwise kernel, which sums in int within the same bound.
     */
    DataType accumulatorType() {
        return type;
    }

    @Override
    public int[] outputShape(int batch) {
        return new int[] {batch, outChannels, outHeight, outWidth};
    }

    /**
     * The output codes of {@code batch} images of input codes (N x C x H x W, C order), in an array the next call
     * overwrites.
     */
    @Override
    public Codes forward(Codes input, int batch) {
        if (depthwise != null) {
            return depthwise(input, batch);
        }
        int pixels = outHeight * outWidth;
        int chunk = Math.max(1, Math.min(batch, GEMM_COLUMNS / pixels));
        if (capacity < k * chunk * pixels) { // a larger batch: the smaller widths' matrices are no longer needed
            capacity = k * chunk * pixels;
            matrices.values().forEach(m -> m.arrays().forEach(INDArray::close));
            matrices.clear();
        }
        Codes out = output.get(byteOutput, batch * outChannels * pixels);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            convolve(input, n0, Math.min(chunk, batch - n0), out);
        }
        return out;
    }

    /** The direct depthwise kernel's output codes. */
    private Codes depthwise(Codes input, int batch) {
        Codes out = output.get(byteOutput, batch * outChannels * outHeight * outWidth);
        depthwise.run(input, batch, out);
        return out;
    }

    /** The output codes of images n0 .. n0 + images - 1 into {@code out}, one matrix product per group. */
    private void convolve(Codes input, int n0, int images, Codes out) {
        int pixels = outHeight * outWidth;
        int outPerGroup = outChannels / group;
        int cols = images * pixels;
        Matrices m = matrices.computeIfAbsent(cols, c -> new Matrices(c, outPerGroup));
        for (int g = 0; g < group; g++) {
            im2col(input, n0, images, g, m.rows);
            INDArray w = weightMatrices().get(g);
            if (type == DataType.INT) {
                int8Product.run(m.product, w, m.columnMatrix);
            } else if (type == DataType.FLOAT) {
                Nd4j.gemm(w, m.columnMatrix, m.product, false, false, 1.0, 0.0);
            } else {
                try (INDArray b = m.columnMatrix.castTo(type)) { // float64 columns for this product only
                    Nd4j.gemm(w, b, m.product, false, false, 1.0, 0.0);
                }
            }
            // product row c holds channel first + c of every image in turn: each row is copied out of ND4J and
            // requantized by one thread, then each image's run goes to its plane
            int first = g * outPerGroup;
            parallel(outPerGroup, cols, c -> {
                m.requantize(c * cols, cols, first + c);
                for (int i = 0; i < images; i++) {
                    out.write(((n0 + i) * outChannels + first + c) * pixels, m.codes, c * cols + i * pixels, pixels);
                }
            });
        }
    }

    /**
     * The column matrix and the product of one width in ND4J, each with a Java array of its type that its rows pass
     * through (bulk copies between Java and ND4J): int8 or float32 columns, an int32, float32 or float64 product,
     * and the product's requantized codes.
     */
    private final class Matrices {
        final INDArray columnMatrix;
        final INDArray product;
        final ColumnRows rows;
        /** The product's elements requantized (an int32 product is copied here and requantized in place). */
        final int[] codes;
        private final Buffer productBuffer;
        private final float[] floatProduct;
        private final double[] doubleProduct;

        Matrices(int cols, int channels) {
            boolean int8 = type == DataType.INT;
            columnMatrix = Nd4j.createUninitialized(int8 ? DataType.BYTE : DataType.FLOAT, k, cols);
            product = Nd4j.createUninitialized(type, channels, cols);
            rows = int8 ? new ColumnRows.Int8(k * cols, columnMatrix.data().asNio())
                    : new ColumnRows.Float32(k * cols, columnMatrix.data().asNioFloat());
            productBuffer = switch (type) {
                case INT -> product.data().asNioInt();
                case FLOAT -> product.data().asNioFloat();
                default -> product.data().asNioDouble();
            };
            int products = channels * cols;
            codes = new int[products];
            floatProduct = new float[type == DataType.FLOAT ? products : 0];
            doubleProduct = new double[type == DataType.DOUBLE ? products : 0];
        }

        /** Its ND4J arrays. */
        List<INDArray> arrays() {
            return List.of(columnMatrix, product);
        }

        /**
         * The product's elements {@code from .. from + count - 1}, accumulators of {@code channel}, out of ND4J and
         * requantized into {@link #codes} (same positions).
         */
        void requantize(int from, int count, int channel) {
            switch (type) {
                case INT -> {
                    ((IntBuffer) productBuffer).get(from, codes, from, count);
                    if (wideSums) {
                        requantizer.applyWideInPlace(codes, from, count, channel);
                    } else {
                        requantizer.applyInPlace(codes, from, count, channel);
                    }
                }
                case FLOAT -> {
                    ((FloatBuffer) productBuffer).get(from, floatProduct, from, count);
                    requantizer.apply(floatProduct, from, count, channel, codes, from);
                }
                default -> {
                    ((DoubleBuffer) productBuffer).get(from, doubleProduct, from, count);
                    requantizer.apply(doubleProduct, from, count, channel, codes, from);
                }
            }
        }
    }

    /**
     * The [K, images x pixels] column matrix of group {@code g} of images n0.. n0 + images - 1 into
     * {@code rows} and on into ND4J: row (channel, ky, kx) holds, image after image, for every output pixel the input
     * code that kernel tap multiplies (0 in the padding).
     */
    private void im2col(Codes in, int n0, int images, int g, ColumnRows rows) {
        int inPerGroup = inChannels / group;
        int taps = (int) geometry.kernelVolume();
        int pixels = outHeight * outWidth;
        int cols = images * pixels;
        parallel(images * inPerGroup, taps * pixels, job -> {
            int i = job / inPerGroup;
            int c = job % inPerGroup;
            int plane = ((n0 + i) * inChannels + g * inPerGroup + c) * inHeight * inWidth;
            int dst = c * taps * cols + i * pixels;
            if (pointwise) { // the row is the input plane
                rows.copy(in, plane, 1, dst, pixels);
            } else {
                channelColumns(in, plane, dst, cols, rows);
            }
            for (int t = 0; t < taps; t++) { // into ND4J's matrix by the thread that wrote the rows, while cached
                rows.flush(dst + t * cols, pixels);
            }
        });
    }

    /**
     * The rows of one input channel (its plane starting at {@code plane}) for one image: tap t's run of pixels goes
     * to {@code dst + t * rowLength}.
     */
    private void channelColumns(Codes in, int plane, int dst, int rowLength, ColumnRows rows) {
        int kh = geometry.kernel()[0];
        int kw = geometry.kernel()[1];
        int sh = geometry.stride()[0];
        int sw = geometry.stride()[1];
        int ph = geometry.pad()[0];
        int pw = geometry.pad()[1];
        int dh = geometry.dilation()[0];
        int dw = geometry.dilation()[1];
        Codes phases = sw > 1 && type == DataType.INT ? phases(in, plane, sw) : null;
        int phaseWidth = ceilDiv(inWidth, sw);
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++, dst += rowLength) {
                int dx = kx * dw - pw;
                // the output columns whose input column ox * sw + dx lies inside the input
                int first = Math.min(outWidth, Math.max(0, ceilDiv(-dx, sw)));
                int end = Math.max(first, Math.min(outWidth, ceilDiv(inWidth - dx, sw)));
                if (sw == 1 && sh == 1 && outWidth == inWidth) {
                    shiftedPlane(in, plane, dst, ky * dh - ph, dx, first, end, rows);
                    continue;
                }
                for (int oy = 0, row = dst; oy < outHeight; oy++, row += outWidth) {
                    int iy = oy * sh - ph + ky * dh;
                    if (iy < 0 || iy >= inHeight) {
                        rows.zero(row, row + outWidth);
                        continue;
                    }
                    rows.zero(row, row + first);
                    if (phases == null) {
                        rows.copy(in, plane + iy * inWidth + dx + first * sw, sw, row + first, end - first);
                    } else { // input column (ox + q) x sw + r is column ox + q of phase r's row iy
                        int r = Math.floorMod(dx, sw);
                        int q = Math.floorDiv(dx, sw);
                        rows.copy(phases, (r * inHeight + iy) * phaseWidth + q + first, 1, row + first, end - first);
                    }
                    rows.zero(row + end, row + outWidth);
                }
            }
        }
    }

    /**
     * An input plane's columns split by their remainder modulo the stride {@code sw} (phase r holds columns r,
     * r + sw, r + 2 sw.. of every row, rows of ceil(width / sw) codes, phase after phase), as int8 codes: a strided
     * convolution's taps then copy runs at unit stride (for int8 rows, array copies) instead of gathering every
     * sw-th code once per tap. SqueezeNet's conv1 (7x7, stride 2) reads each input code about 12 times.
     */
    private Codes phases(Codes in, int plane, int sw) {
        int phaseWidth = ceilDiv(inWidth, sw);
        byte[] split = new byte[sw * inHeight * phaseWidth];
        for (int r = 0; r < Math.min(sw, inWidth); r++) {
            for (int y = 0; y < inHeight; y++) {
                in.toInt8(plane + y * inWidth + r, sw, split, (r * inHeight + y) * phaseWidth,
                        ceilDiv(inWidth - r, sw));
            }
        }
        return new Codes.Bytes(split);
    }

    /**
     * One tap's row of the column matrix when the output plane has the input's width and unit strides (a KxK
     * kernel padded to keep the plane's size, as SqueezeNet's 3x3 convolutions are): output pixel p reads input
     * pixel p + dy x width + dx, so the rows of the output whose input row exists are one shifted copy of the
     * plane, one long loop the JIT vectorizes instead of one short loop per row. The copy also writes the columns
     * outside first..end (they read the neighbouring input row), which are zeroed after it; it starts at the first
     * row's column {@code first} and ends at the last row's column {@code end}, so it reads inside the plane only.
     */
    private void shiftedPlane(Codes in, int plane, int dst, int dy, int dx, int first, int end, ColumnRows rows) {
        int oy0 = Math.min(outHeight, Math.max(0, -dy)); // the output rows whose input row oy + dy exists
        int oy1 = Math.max(oy0, Math.min(outHeight, inHeight - dy));
        rows.zero(dst, dst + oy0 * outWidth);
        rows.zero(dst + oy1 * outWidth, dst + outHeight * outWidth);
        if (oy0 == oy1 || first == end) {
            rows.zero(dst + oy0 * outWidth, dst + oy1 * outWidth);
            return;
        }
        int from = oy0 * outWidth + first;
        int to = (oy1 - 1) * outWidth + end;
        rows.copy(in, plane + dy * inWidth + dx + from, 1, dst + from, to - from);
        for (int oy = oy0, row = dst + oy0 * outWidth; oy < oy1; oy++, row += outWidth) {
            rows.zero(row, row + first);
            rows.zero(row + end, row + outWidth);
        }
    }

    /**
     * Runs {@code body} for 0..count-1, in parallel when there are enough {@code perItem} elements to share and the
     * calling thread does not compute a share of a batch ({@link BatchShares}: the other shares use the cores).
     */
    static void parallel(int count, int perItem, java.util.function.IntConsumer body) {
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, count);
        boolean split = (long) count * perItem >= PARALLEL_WORK && !ShareThread.inShare();
        (split ? range.parallel() : range).forEach(body);
    }

    static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
