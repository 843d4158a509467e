package xportdnn.engine.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import xportdnn.model.ConvGeometry;

/**
 * An ungrouped 1x1, stride-1, undilated convolution without padding (or a padded one's unpadded interior, see
 * {@link PaddedPointwise}) as a matrix product: the channels-last input viewed as {@code [N*H*W, in]} times the
 * weights {@code [in, out]} (libnd4j's {@code matmul}, oneDNN's GEMM), then the bias added in place
 * ({@code biasadd}). conv2d reorders the weights to oneDNN's blocked layout and sets its kernel up on every call
 * (ND4J keeps neither), which costs as much as a small call's work; the product does neither.
 *
 * <p>Measured per call on SqueezeNet v1.0's 13 1x1 shapes, conv2d and the product alternated call by call in one
 * process (2026-12-06, 2 vCPUs, load average 4-6): at batch 1 the product (bias included) was the faster on every
 * shape, 15-50% (the 13 calls 3.1 ms against 2.2 ms on one thread, 3.7 against 2.9 on two); at batch 16 the two
 * were even (totals within -12% to +4% from run to run), the bias pass over the larger outputs taking back what the
 * product gained. So the product runs where an output has at most {@link #MAX_ROWS} positions. A bias added by
 * the product itself (output prefilled, GEMM's beta 1) or by libnd4j's broadcast {@code add} was slower than
 * {@code biasadd}. The sums are oneDNN's GEMM's, not its convolution's: they agree to float rounding (at most
 * 1e-5 apart on these shapes), not bit for bit.
 */
final class PointwiseProduct {

    /**
     * At most this many output positions ({@code N*H*W}) per call: SqueezeNet's batch-1 shapes (169-3025
     * positions) all gained, its batch-16 ones (2704-48400) were even.
     */
    static final long MAX_ROWS = 1 << 12;

    /** {@code [in, out]}. */
    private final INDArray weights;
    /** {@code [out]}, or null. */
    private final INDArray bias;
    private final NativeCall product;
    private final NativeCall addBias;

    private PointwiseProduct(INDArray weights, INDArray bias) {
        this.weights = weights;
        this.bias = bias;
        product = NativeCall.named("matmul");
        // false: channels last, the bias along the last axis
        addBias = new NativeCall(DynamicCustomOp.builder("biasadd").addBooleanArguments(false).build());
    }

    /** The same product over the same weight and bias arrays, its native contexts its own: for another thread. */
    PointwiseProduct another() {
        return new PointwiseProduct(weights, bias);
    }

    /** True for an ungrouped 1x1 convolution of stride 1 and dilation 1, padded or not. */
    static boolean isPointwise(ConvGeometry g) {
        return g.group() == 1 && g.kernel()[0] == 1 && g.kernel()[1] == 1 && g.stride()[0] == 1
                && g.stride()[1] == 1 && g.dilation()[0] == 1 && g.dilation()[1] == 1;
    }

    /**
     * The product for a pointwise convolution ({@link #isPointwise}) of weights {@code [out, in, 1, 1]} and bias
     * {@code [out]} (or null); null for any other convolution.
     */
    static PointwiseProduct of(ConvGeometry g, INDArray weights, INDArray bias) {
        if (!isPointwise(g)) {
            return null;
        }
        return new PointwiseProduct(weights.reshape(weights.size(0), weights.size(1)).transpose().dup('c'), bias);
    }

    /** True where this product runs a call writing {@code out} rather than conv2d (see {@link #MAX_ROWS}). */
    boolean suits(INDArray out) {
        return out.size(0) * out.size(1) * out.size(2) <= MAX_ROWS;
    }

    /**
     * Writes into {@code out} ({@code [N, H, W, out]}, dense) the convolution of {@code in} ({@code [N, H, W, in]},
     * dense).
     */
    void run(INDArray in, INDArray out) {
        long rows = in.size(0) * in.size(1) * in.size(2);
        INDArray matrix = out.reshape(rows, out.size(3));
        product.run(rows * weights.length(), NativeCall.ONE_THREAD_MAX_MULTIPLY_ADDS, matrix,
                in.reshape(rows, in.size(3)), weights);
        if (bias != null) {
            addBias.run(matrix.length(), NativeCall.ONE_THREAD_MAX_VALUES, matrix, matrix, bias);
        }
    }
}
