package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;

/**
 * Caffe's Convolution: weights {@code [out, in/group, kh, kw]}, optional bias, groups, dilation and separate
 * height/width geometry. ND4J's conv2d has no groups, so a grouped convolution runs one conv2d per group on
 * its channel slice; the depthwise case (one input channel per group) is {@link DepthwiseConvolution}'s. oneDNN,
 * ND4J's CPU helper, rejects dilated convolutions, so dilation is built into zero-spread kernels
 * ({@link #spread}): the zero taps add exactly nothing.
 *
 * <p>An ungrouped convolution computes channels-last ({@code NHWC}, see {@link Tensors#channelsFirstView}): with
 * channels-first arrays oneDNN reorders the input, the output buffer and the result around every call, which took
 * longer than the convolution itself. A channels-first input is copied to channels-last once here.
 */
final class Convolution implements LayerOp {

    private final String name;
    private final ConvGeometry geometry;
    private final int group;
    private final int inputs;
    /**
     * One weight array per group ({@code [out, in, kh, kw]}; a pointwise convolution's {@code [1, 1, in, out]}, see
     * {@link PointwiseProduct}).
     */
    private final List<INDArray> weights = new ArrayList<>();
    private final List<INDArray> biases = new ArrayList<>();
    private final Buffers buffers = new Buffers();
    /** The conv2d call, channels-first, every group through it. */
    private final NativeCall call;
    /** The conv2d call on channels-last arrays (ungrouped only). */
    private final NativeCall channelsLastCall;
    /** See {@link #workspaceValuesPerImage}. */
    private final long workspaceValues;
    /** Set for a padded 1x1 convolution, which {@link #channelsLastCall} then runs unpadded. */
    private final PaddedPointwise padded;
    /** Set for an ungrouped 1x1 convolution, padded or not: the matrix product that runs its small calls. */
    private final PointwiseProduct product;
    private final DerivedView inputStorage = new DerivedView(Tensors::channelsLastStorage);
    private final DerivedView outputView = new DerivedView(Tensors::channelsFirstView);

    Convolution(Layer layer, List<int[]> bottomShapes) {
        name = layer.name();
        ConvGeometry g = Layers.convGeometry(layer, bottomShapes);
        geometry = g;
        long in = Tensors.valuesPerImage(bottomShapes.get(0));
        group = g.group();
        inputs = g.inChannels();
        int outputs = g.outChannels();
        int perGroup = outputs / group;
        INDArray w = spread(Tensors.of(Layers.weight(layer, 0, (long) outputs * (inputs / group) * g.kernelVolume()),
                outputs, inputs / group, g.kernel()[0], g.kernel()[1]), g.dilation());
        INDArray b = layer.param().getConvolutionParam().getBiasTerm() ? Tensors.of(Layers.weight(layer, 1, outputs), outputs)
                : null;
        padded = PaddedPointwise.of(g, b == null ? new float[outputs] : Tensors.floats(b));
        // a pointwise convolution keeps one weight array, [1, 1, in, out] (conv2d's YXIO), which the product reads as
        // its [in, out] matrix; the product reading conv2d's [out, in] transposed instead (matmul's transY, or a
        // transposed view) was slower: SqueezeNet batch 1, 2026-12-07, 4-10% per pass
        long kh = w.size(2);
        long kw = w.size(3);
        boolean pointwise = PointwiseProduct.isPointwise(g);
        if (pointwise) {
            w = w.reshape(outputs, inputs).transpose().dup('c').reshape(1, 1, inputs, outputs);
        }
        product = PointwiseProduct.of(g, w, b);
        long out = Tensors.valuesPerImage(g.outputShape(bottomShapes.get(0), false));
        // grouped: the output; padded 1x1: the unpadded output, about as large
        workspaceValues = in + (g.group() == 1 && padded == null ? 0 : out);
        for (int i = 0; i < group; i++) {
            weights.add(group == 1 ? w : w.get(NDArrayIndex.interval(i * perGroup, (i + 1) * perGroup)).dup('c'));
            biases.add(b == null || group == 1 ? b : b.get(NDArrayIndex.interval(i * perGroup, (i + 1) * perGroup)).dup());
        }
        Conv2DConfig config = Conv2DConfig.builder()
                .kH(kh).kW(kw)
                .sH(g.stride()[0]).sW(g.stride()[1])
                .pH(g.pad()[0]).pW(g.pad()[1])
                .dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW)
                .weightsFormat(pointwise ? WeightsFormat.YXIO : WeightsFormat.OIYX)
                .build();
        Conv2DConfig channelsLastConfig = Conv2DConfig.builder()
                .kH(kh).kW(kw)
                .sH(g.stride()[0]).sW(g.stride()[1])
                .pH(padded == null ? g.pad()[0] : 0).pW(padded == null ? g.pad()[1] : 0)
                .dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NHWC)
                .weightsFormat(pointwise ? WeightsFormat.YXIO : WeightsFormat.OIYX)
                .build();
        call = new NativeCall(new Conv2D(new INDArray[0], null, config));
        channelsLastCall = new NativeCall(new Conv2D(new INDArray[0], null, channelsLastConfig));
    }

    /** Another op of the same weights and biases (the same arrays), its buffers and native contexts its own. */
    private Convolution(Convolution from) {
        name = from.name;
        geometry = from.geometry;
        group = from.group;
        inputs = from.inputs;
        weights.addAll(from.weights);
        biases.addAll(from.biases);
        call = from.call.another();
        channelsLastCall = from.channelsLastCall.another();
        workspaceValues = from.workspaceValues;
        padded = from.padded == null ? null : from.padded.another();
        product = from.product == null ? null : from.product.another();
    }

    @Override
    public LayerOp sharingWeights() {
        return new Convolution(this);
    }

    /** Per group, the weights as the calls take them: read them, never modify them. */
    List<INDArray> weights() {
        return List.copyOf(weights);
    }

    /**
     * Weights {@code [a, b, kh, kw]} spread to the dilated extent {@code [a, b, d*(kh-1)+1, d*(kw-1)+1]}, zero
     * between the taps, so an undilated convolution computes the dilated one.
     */
    static INDArray spread(INDArray weights, int[] dilation) {
        if (dilation[0] == 1 && dilation[1] == 1) {
            return weights;
        }
        long extentH = dilation[0] * (weights.size(2) - 1) + 1;
        long extentW = dilation[1] * (weights.size(3) - 1) + 1;
        INDArray spread = Nd4j.zeros(weights.dataType(), weights.size(0), weights.size(1), extentH, extentW);
        spread.get(NDArrayIndex.all(), NDArrayIndex.all(), taps(dilation[0], extentH), taps(dilation[1], extentW))
                .assign(weights);
        return spread;
    }

    /**
     * The positions 0, d, 2d, ... below {@code extent} of a spread kernel axis. An axis of one tap is spelled out:
     * ND4J refuses a strided interval longer than the axis ({@code interval(0, 2, 1)} for a 3x1 kernel dilated by 2).
     */
    private static INDArrayIndex taps(int dilation, long extent) {
        return extent == 1 ? NDArrayIndex.interval(0, 1) : NDArrayIndex.interval(0, dilation, extent);
    }

    @Override
    public boolean takesChannelsLast() {
        return true;
    }

    /**
     * Ungrouped: one input, the kept channels-last copy of it (oneDNN's channels-last call adds a few MB at most:
     * measured 7 MB beside a 4 MB input and a 22 MB output). Grouped: one input and one output, the
     * kept slices and parts and the reorders oneDNN makes around a channels-first call (measured 34 MB for the same
     * sizes). A padded 1x1 convolution ({@link PaddedPointwise}) also keeps its unpadded output. No im2col buffer:
     * ND4J's own, kernel-area times the output, is avoided (see {@link #forward}).
     */
    @Override
    public long workspaceValuesPerImage() {
        return workspaceValues;
    }

    /** The multiply-adds of an ungrouped call writing {@code out}: every output value takes one per weight of its filter. */
    private long multiplyAdds(INDArray out) {
        return out.length() * (weights.get(0).length() / geometry.outChannels());
    }

    /** The ungrouped, unpadded (or {@link #padded}) convolution of channels-last {@code in} into {@code out}. */
    private void channelsLast(INDArray in, INDArray out) {
        if (product != null && product.suits(out)) {
            product.run(in, out);
        } else {
            channelsLastCall.run(multiplyAdds(out), NativeCall.ONE_THREAD_MAX_MULTIPLY_ADDS, out, in, weights.get(0),
                    biases.get(0));
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        Layers.requireChannels(name, bottoms.get(0), inputs);
        long[] outShape = Arrays.stream(geometry.outputShape(Layers.intShape(bottoms.get(0)), false)).asLongStream().toArray();
        if (group == 1) {
            INDArray x = bottoms.get(0);
            INDArray storage = inputStorage.of(x);
            if (storage == null) {
                storage = buffers.copy(1, x.permute(0, 2, 3, 1));
            }
            INDArray out = buffers.get(0, outShape[0], outShape[2], outShape[3], outShape[1]);
            if (padded == null) {
                channelsLast(storage, out);
            } else {
                INDArray inner = buffers.get(2, outShape[0], x.size(2), x.size(3), outShape[1]);
                channelsLast(storage, inner);
                padded.frame(inner, out);
            }
            return List.of(outputView.of(out));
        }
        // a view (an ungrouped convolution's channels-first output) is copied into a kept buffer: a fresh copy per
        // call is native garbage the collector frees late (MobileNet v1, -Xmx4g: 4 GB resident in a few seconds)
        INDArray x = buffers.dense(3, bottoms.get(0));
        INDArray out = buffers.get(0, outShape);
        int inPerGroup = inputs / group;
        long outPerGroup = out.size(1) / group;
        for (int i = 0; i < group; i++) {
            INDArray slice = buffers.copy(1, x.get(NDArrayIndex.all(),
                    NDArrayIndex.interval((long) i * inPerGroup, (long) (i + 1) * inPerGroup)));
            INDArray part = buffers.get(2, out.size(0), outPerGroup, out.size(2), out.size(3));
            call.run(part, slice, weights.get(i), biases.get(i));
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(i * outPerGroup, (i + 1) * outPerGroup)).assign(part);
        }
        return List.of(out);
    }

    @Override
    public void close() {
        buffers.close();
    }
}
