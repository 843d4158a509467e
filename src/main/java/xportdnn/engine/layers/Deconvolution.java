package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;

/**
 * Caffe's Deconvolution (transposed convolution): weights {@code [in, out/group, kh, kw]}, output size
 * {@code stride * (in - 1) + dilation * (kernel - 1) + 1 - 2 * pad}. Runs ND4J's deconv2d with the
 * {@code [in, out, kh, kw]} weight layout, one call per group, dilation spread into the kernel as for
 * {@link Convolution}. Groups of one input channel that all have the same kernel and bias (an FCN's bilinear
 * upsampling: one group per class, each the same bilinear filter) are one call: each channel an image of its own.
 */
final class Deconvolution implements LayerOp {

    /** deconv2d's integer argument for weights laid out {@code [iC, oC, kH, kW]}. */
    private static final int WEIGHTS_IN_OUT_H_W = 1;

    private final String name;
    private final int group;
    private final int inputs;
    private final int[] intArgs;
    private final List<INDArray> weights = new ArrayList<>();
    private final List<INDArray> biases = new ArrayList<>();
    /** Whether every group is one input channel with the same kernel and bias: the only weights are group 0's. */
    private final boolean channelsAsImages;
    /** One input (the group slices) and one output (the parts before they are joined, or oneDNN's reorders). */
    private final long workspaceValues;

    Deconvolution(Layer layer, List<int[]> bottomShapes) {
        name = layer.name();
        ConvGeometry g = Layers.convGeometry(layer, bottomShapes);
        workspaceValues = Tensors.valuesPerImage(bottomShapes.get(0)) + Tensors.valuesPerImage(g.outputShape(bottomShapes.get(0), true));
        group = g.group();
        inputs = g.inChannels();
        int perGroup = g.outChannels() / group;
        INDArray all = Convolution.spread(Tensors.of(Layers.weight(layer, 0, (long) inputs * perGroup * g.kernelVolume()),
                inputs, perGroup, g.kernel()[0], g.kernel()[1]), g.dilation());
        INDArray bias = layer.param().getConvolutionParam().getBiasTerm()
                ? Tensors.of(Layers.weight(layer, 1, g.outChannels()), g.outChannels()) : null;
        int inPerGroup = inputs / group;
        channelsAsImages = group > 1 && inPerGroup == 1
                && sameGroups(layer, group, Math.toIntExact(g.kernelVolume() * perGroup), bias == null ? 0 : perGroup);
        for (int i = 0; i < (channelsAsImages ? 1 : group); i++) {
            weights.add(all.get(NDArrayIndex.interval(i * inPerGroup, (i + 1) * inPerGroup)).dup('c'));
            biases.add(bias == null ? null : bias.get(NDArrayIndex.interval(i * perGroup, (i + 1) * perGroup)).dup());
        }
        intArgs = new int[] {(int) all.size(2), (int) all.size(3), g.stride()[0], g.stride()[1], g.pad()[0], g.pad()[1],
            1, 1, 0 /* explicit padding */, 0 /* NCHW */, WEIGHTS_IN_OUT_H_W};
    }

    /**
     * Whether the {@code group} groups of the layer's weights, {@code weights} values each, and of its bias,
     * {@code biases} each, are all equal to the first.
     */
    private static boolean sameGroups(Layer layer, int group, int weights, int biases) {
        float[] w = layer.weights().get(0).data();
        float[] b = biases == 0 ? new float[0] : layer.weights().get(1).data();
        for (int i = 1; i < group; i++) {
            if (!Arrays.equals(w, 0, weights, w, i * weights, (i + 1) * weights)
                    || !Arrays.equals(b, 0, biases, b, i * biases, (i + 1) * biases)) {
                return false;
            }
        }
        return true;
    }

    /** The op itself: it keeps nothing between calls (each call's arrays are its own), only its weights. */
    @Override
    public LayerOp sharingWeights() {
        return this;
    }

    @Override
    public long workspaceValuesPerImage() {
        return workspaceValues;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        Layers.requireChannels(name, x, inputs);
        if (channelsAsImages) { // [N, C, H, W] as C * N images of one channel: [N * C, 1, H, W]
            INDArray images = x.reshape('c', x.size(0) * inputs, 1, x.size(2), x.size(3));
            INDArray y = deconv2d(images, weights.get(0), biases.get(0));
            return List.of(y.reshape('c', x.size(0), inputs * y.size(1), y.size(2), y.size(3)));
        }
        int inPerGroup = inputs / group;
        INDArray[] parts = new INDArray[group];
        for (int i = 0; i < group; i++) {
            INDArray slice = group == 1 ? x : x.get(NDArrayIndex.all(),
                    NDArrayIndex.interval((long) i * inPerGroup, (long) (i + 1) * inPerGroup)).dup('c');
            parts[i] = deconv2d(slice, weights.get(i), biases.get(i));
        }
        return List.of(group == 1 ? parts[0] : Nd4j.concat(1, parts));
    }

    private INDArray deconv2d(INDArray x, INDArray weights, INDArray bias) {
        INDArray[] in = bias == null ? new INDArray[] {x, weights} : new INDArray[] {x, weights, bias};
        return Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(in).addIntegerArguments(intArgs).build())[0];
    }

    /** The deconv2d calls a pass makes: one per group, or one for all. */
    int callsPerPass() {
        return channelsAsImages ? 1 : group;
    }
}
