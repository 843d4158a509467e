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
 * <p>What the product saves is about fixed per call (conv2d's set-up and its weight reorder, which grows with the
 * weights); what it loses grows with the work and the output (the GEMM falls behind oneDNN's convolution kernel on
 * large calls, and the bias is a second pass). Measured per call on SqueezeNet v1.0's 13 1x1 shapes, conv2d and the
 * product alternated call by call in one process (2026-12-06, 2 vCPUs, load average 4-8): at batch 1 the product,
 * bias included, was the faster on every shape, by 14-42% on one thread and 5-35% on two (the 13 calls 3.1 ms
 * against 2.2 ms on one thread, 3.7 against 2.9 on two); at 13 x 13 the gain fell with the batch (conv_final,
 * 512 -> 1000: 1.31 against 0.98 ms at batch 1, 4.04 against 3.91 at batch 4, even at 8, from 3% faster to 15%
 * slower at 16); at batch 16 the totals of the 13 calls went from 4% faster to 12% slower from run to run, and in
 * the engine SqueezeNet's batch-16 1x1 layers were no faster (LayerTimes, load average 9). So the product runs the
 * calls that are small in work or in output positions ({@link #suits}). A bias added by the product itself (output
 * prefilled, GEMM's beta 1) or by libnd4j's broadcast {@code add} was slower than {@code biasadd}. The sums are
 * oneDNN's GEMM's, not its convolution's: they agree to float rounding (at most 1e-5 apart on these shapes), not
 * bit for bit.
 */
final class PointwiseProduct {

    /**
     * Output positions ({@code N*H*W}) up to which a call of any work runs as the product: at 13 x 13 the product
     * gained at batch 1 and 4 (169 and 676 positions), was even at 8 and lost at 16.
     */
    static final long MAX_POSITIONS = 1 << 10;

    /** {@code [in, out]}: a view of the convolution's own weights. */
    private final INDArray weights;
    /** {@code [out]}, or null. */
    private final INDArray bias;
    private final NativeCall product;
    private final NativeCall addBias;
    /** The input and output of a call as {@code [N*H*W, channels]} matrices. */
    private final DerivedView inputRows = new DerivedView(PointwiseProduct::rows);
    private final DerivedView outputRows = new DerivedView(PointwiseProduct::rows);

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
     * The product for a pointwise convolution ({@link #isPointwise}) of weights {@code [1, 1, in, out]} and bias
     * {@code [out]} (or null); null for any other convolution.
     */
    static PointwiseProduct of(ConvGeometry g, INDArray weights, INDArray bias) {
        if (!isPointwise(g)) {
            return null;
        }
        return new PointwiseProduct(weights.reshape(weights.size(2), weights.size(3)), bias);
    }

    /**
     * True where this product runs a call writing {@code out} rather than conv2d: a call of at most
     * {@link NativeCall#ONE_THREAD_MAX_MULTIPLY_ADDS} (every 1x1 of a batch-1 SqueezeNet pass but conv_final's 86.5
     * million; at batch 16 they are 44 million and up), or of at most {@link #MAX_POSITIONS} output positions
     * (conv_final at batch 1, 169 positions: 1.31 ms as conv2d, 0.98 as the product).
     */
    boolean suits(INDArray out) {
        long positions = out.size(0) * out.size(1) * out.size(2);
        return positions * weights.length() <= NativeCall.ONE_THREAD_MAX_MULTIPLY_ADDS || positions <= MAX_POSITIONS;
    }

    /**
     * Writes into {@code out} ({@code [N, H, W, out]}, dense) the convolution of {@code in} ({@code [N, H, W, in]},
     * dense).
     */
    void run(INDArray in, INDArray out) {
        INDArray inputMatrix = inputRows.of(in);
        INDArray matrix = outputRows.of(out);
        product.run(inputMatrix.size(0) * weights.length(), NativeCall.ONE_THREAD_MAX_MULTIPLY_ADDS, matrix,
                inputMatrix, weights);
        if (bias != null) {
            addBias.run(matrix.length(), NativeCall.ONE_THREAD_MAX_VALUES, matrix, matrix, bias);
        }
    }

    /** {@code [N, H, W, C]} (dense) viewed as {@code [N*H*W, C]}. */
    static INDArray rows(INDArray channelsLast) {
        return channelsLast.reshape(channelsLast.size(0) * channelsLast.size(1) * channelsLast.size(2), channelsLast.size(3));
    }
}
