package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.proto.Caffe.ConvolutionParameter;

/**
 * Caffe's Deconvolution (transposed convolution): weights {@code [in, out/group, kh, kw]}, output size
 * {@code stride * (in - 1) + dilation * (kernel - 1) + 1 - 2 * pad}. Runs ND4J's deconv2d with the
 * {@code [in, out, kh, kw]} weight layout, one call per group.
 */
final class Deconvolution implements LayerOp {

    /** deconv2d's integer argument for weights laid out {@code [iC, oC, kH, kW]}. */
    private static final int WEIGHTS_IN_OUT_H_W = 1;

    private final String where;
    private final int group;
    private final int inputs;
    private final int[] intArgs;
    private final List<INDArray> weights = new ArrayList<>();
    private final List<INDArray> biases = new ArrayList<>();

    Deconvolution(Layer layer) {
        where = Layers.describe(layer);
        ConvolutionParameter p = layer.param().getConvolutionParam();
        if (p.getAxis() != 1) {
            throw Layers.error(where, "only axis 1 (channels) is supported, got " + p.getAxis());
        }
        Window declared = Window.of(p, where);
        Window w = declared.undilated();
        group = p.getGroup();
        int outputs = p.getNumOutput();
        if (group <= 0 || outputs <= 0 || outputs % group != 0) {
            throw Layers.error(where, "num_output " + outputs + " must be a positive multiple of group " + group);
        }
        Layers.requireWeights(layer, p.getBiasTerm() ? 2 : 1);
        int perGroup = outputs / group;
        long perInput = (long) perGroup * declared.kernelH() * declared.kernelW();
        long weightCount = layer.weights().get(0).count();
        if (weightCount % perInput != 0) {
            throw Layers.error(where, "weight blob holds " + weightCount + " values, not a multiple of (num_output/group) x kernel = "
                    + perInput);
        }
        inputs = (int) (weightCount / perInput);
        if (inputs % group != 0) {
            throw Layers.error(where, "the weights' " + inputs + " input channels do not split into " + group + " groups");
        }
        INDArray all = declared.dilate(
                Tensors.of(layer.weights().get(0), inputs, perGroup, declared.kernelH(), declared.kernelW()));
        INDArray bias = p.getBiasTerm() ? Tensors.of(Layers.weight(layer, 1, outputs), outputs) : null;
        int inPerGroup = inputs / group;
        for (int g = 0; g < group; g++) {
            weights.add(all.get(NDArrayIndex.interval(g * inPerGroup, (g + 1) * inPerGroup)).dup('c'));
            biases.add(bias == null ? null : bias.get(NDArrayIndex.interval(g * perGroup, (g + 1) * perGroup)).dup());
        }
        intArgs = new int[] {w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW(),
            1, 1, 0 /* explicit padding */, 0 /* NCHW */, WEIGHTS_IN_OUT_H_W};
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        Layers.requireRank(where, x, 4);
        if (x.size(1) != inputs) {
            throw Layers.error(where, "input has " + x.size(1) + " channels, the weights expect " + inputs);
        }
        int inPerGroup = inputs / group;
        INDArray[] parts = new INDArray[group];
        for (int g = 0; g < group; g++) {
            INDArray slice = group == 1 ? x : x.get(NDArrayIndex.all(),
                    NDArrayIndex.interval((long) g * inPerGroup, (long) (g + 1) * inPerGroup)).dup('c');
            INDArray[] in = biases.get(g) == null ? new INDArray[] {slice, weights.get(g)}
                    : new INDArray[] {slice, weights.get(g), biases.get(g)};
            parts[g] = Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(in).addIntegerArguments(intArgs).build())[0];
        }
        return List.of(group == 1 ? parts[0] : Nd4j.concat(1, parts));
    }
}
