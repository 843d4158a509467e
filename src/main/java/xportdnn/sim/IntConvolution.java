package xportdnn.sim;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Im2col;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.ConvGeometry;
import xportdnn.model.ModelException;

/**
 * A 2-D convolution (groups, stride, padding, dilation) of integer input codes with integer weight codes, each
 * output channel's exact accumulator requantized into output codes.
 *
 * <p>The multiply-accumulate runs as ND4J's im2col followed by one matrix product per image and group, in
 * float32 when that is exact and in float64 otherwise. Why it is exact: with P the largest |input code| times the
 * largest |weight code| and K = (input channels / group) x kernel height x kernel width, every product is an
 * integer of magnitude at most P and every intermediate value a GEMM forms (in any order, blocking or with fused
 * multiply-add) is a sum of some of the K products, an integer of magnitude at most K x P. While K x P <= 2^24
 * all of them are representable in float32's 24-bit significand, so every multiplication and addition is exact
 * and the result is the exact integer sum; float64 does the same up to 2^53. im2col only copies codes (and the
 * zeros of the padding), so the accumulator equals the plain long-integer sum, bit for bit.
 */
final class IntConvolution {

    private static final double FLOAT_EXACT = 0x1p24;
    private static final double DOUBLE_EXACT = 0x1p53;

    private final int inChannels;
    private final int inHeight;
    private final int inWidth;
    private final int outChannels;
    private final int outHeight;
    private final int outWidth;
    private final int group;
    private final DataType type;
    /** Per group, its output channels' weight codes as a [outChannels/group, K] matrix of {@link #type}. */
    private final List<INDArray> weights = new ArrayList<>();
    /** null for a pointwise convolution, whose input already is the [K, pixels] matrix. */
    private final Conv2DConfig im2col;
    private final Requantizer requantizer;

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
        int k = (inChannels / group) * (int) geometry.kernelVolume();
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
        INDArray all = Nd4j.createFromArray(weightCodes).castTo(type).reshape('c', outChannels, k);
        int perGroup = outChannels / group;
        for (int g = 0; g < group; g++) {
            weights.add(all.get(NDArrayIndex.interval(g * perGroup, (g + 1) * perGroup), NDArrayIndex.all()).dup('c'));
        }
        boolean pointwise = geometry.kernelVolume() == 1 && geometry.stride()[0] == 1 && geometry.stride()[1] == 1
                && geometry.pad()[0] == 0 && geometry.pad()[1] == 0;
        im2col = pointwise ? null : Conv2DConfig.builder()
                .kH(geometry.kernel()[0]).kW(geometry.kernel()[1])
                .sH(geometry.stride()[0]).sW(geometry.stride()[1])
                .pH(geometry.pad()[0]).pW(geometry.pad()[1])
                .dH(geometry.dilation()[0]).dW(geometry.dilation()[1])
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
    }

    int[] outputShape(int batch) {
        return new int[] {batch, outChannels, outHeight, outWidth};
    }

    /** The output codes of {@code batch} images of input codes (N x C x H x W, C order). */
    int[] forward(int[] input, int batch) {
        int pixels = outHeight * outWidth;
        int inPerGroup = inChannels / group;
        int outPerGroup = outChannels / group;
        INDArray x = Nd4j.createFromArray(input).castTo(type).reshape('c', batch, inChannels, inHeight, inWidth);
        // [N, C, K/C, pixels]: the columns of every image, channel by channel
        INDArray columns = im2col == null ? x.reshape('c', batch, inChannels, 1, pixels)
                : Nd4j.exec(new Im2col(x, im2col))[0].reshape('c', batch, inChannels, -1, pixels);
        INDArray product = Nd4j.createUninitialized(type, outPerGroup, pixels);
        int[] out = new int[batch * outChannels * pixels];
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < group; g++) {
                INDArray block = columns.get(NDArrayIndex.point(n),
                        NDArrayIndex.interval(g * inPerGroup, (g + 1) * inPerGroup), NDArrayIndex.all(),
                        NDArrayIndex.all()).dup('c').reshape('c', -1, pixels);
                Nd4j.gemm(weights.get(g), block, product, false, false, 1.0, 0.0);
                requantize(product, out, (n * outChannels + g * outPerGroup) * pixels, g * outPerGroup, pixels);
            }
        }
        return out;
    }

    /** Requantizes [channels, pixels] accumulators of output channels {@code firstChannel}.. into {@code out}. */
    private void requantize(INDArray product, int[] out, int offset, int firstChannel, int pixels) {
        double[] acc = product.data().asDouble(); // exact: the accumulators are integers below 2^53
        for (int i = 0; i < acc.length; i++) {
            out[offset + i] = requantizer.apply((long) acc[i], firstChannel + i / pixels);
        }
    }
}
