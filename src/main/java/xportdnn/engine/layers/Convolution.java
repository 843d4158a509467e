package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.proto.Caffe.ConvolutionParameter;

/**
 * Caffe's Convolution: weights {@code [out, in/group, kh, kw]}, optional bias, groups, dilation and separate
 * height/width geometry. ND4J's conv2d has no groups, so a grouped convolution runs one conv2d per group on
 * its channel slice; the depthwise case (one input channel per group) uses depthwise_conv2d instead. Dilation
 * is built into zero-spread kernels (see {@link Window#undilated}).
 */
final class Convolution implements LayerOp {

    private final String where;
    private final int group;
    private final int outputs;
    private final int inputsPerGroup;
    private final Conv2DConfig config;
    /** One weight array per group, or the single depthwise weight {@code [kh, kw, in, multiplier]}. */
    private final List<INDArray> weights = new ArrayList<>();
    private final List<INDArray> biases = new ArrayList<>();
    private final boolean depthwise;

    Convolution(Layer layer) {
        where = Layers.describe(layer);
        ConvolutionParameter p = layer.param().getConvolutionParam();
        if (p.getAxis() != 1) {
            throw Layers.error(where, "only axis 1 (channels) is supported, got " + p.getAxis());
        }
        Window declared = Window.of(p, where);
        group = p.getGroup();
        outputs = p.getNumOutput();
        if (group <= 0 || outputs <= 0 || outputs % group != 0) {
            throw Layers.error(where, "num_output " + outputs + " must be a positive multiple of group " + group);
        }
        Layers.requireWeights(layer, p.getBiasTerm() ? 2 : 1);
        long perOutput = (long) declared.kernelH() * declared.kernelW();
        long weightCount = layer.weights().get(0).count();
        if (weightCount % (outputs * perOutput) != 0) {
            throw Layers.error(where, "weight blob holds " + weightCount + " values, not a multiple of num_output x kernel = "
                    + outputs * perOutput);
        }
        inputsPerGroup = (int) (weightCount / (outputs * perOutput));
        Window window = declared.undilated();
        INDArray w = declared.dilate(
                Tensors.of(layer.weights().get(0), outputs, inputsPerGroup, declared.kernelH(), declared.kernelW()));
        INDArray b = p.getBiasTerm() ? Tensors.of(Layers.weight(layer, 1, outputs), outputs) : null;
        depthwise = group > 1 && inputsPerGroup == 1;
        int perGroup = outputs / group;
        if (depthwise) {
            // depthwise_conv2d wants [kh, kw, in, multiplier]; Caffe's output channel c*m + j is input c's j-th filter
            weights.add(w.reshape(group, perGroup, window.kernelH(), window.kernelW()).permute(2, 3, 0, 1).dup('c'));
            biases.add(b);
        } else {
            for (int g = 0; g < group; g++) {
                weights.add(group == 1 ? w : w.get(NDArrayIndex.interval(g * perGroup, (g + 1) * perGroup)).dup('c'));
                biases.add(b == null || group == 1 ? b : b.get(NDArrayIndex.interval(g * perGroup, (g + 1) * perGroup)).dup());
            }
        }
        config = Conv2DConfig.builder()
                .kH(window.kernelH()).kW(window.kernelW())
                .sH(window.strideH()).sW(window.strideW())
                .pH(window.padH()).pW(window.padW())
                .dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW)
                .weightsFormat(depthwise ? WeightsFormat.YXIO : WeightsFormat.OIYX)
                .build();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        Layers.requireRank(where, x, 4);
        long channels = x.size(1);
        if (channels != (long) inputsPerGroup * group) {
            throw Layers.error(where, "input has " + channels + " channels, the weights expect " + inputsPerGroup * group);
        }
        if (depthwise) {
            return List.of(run(new DepthwiseConv2D(x, weights.get(0), biases.get(0), null, config)));
        }
        if (group == 1) {
            return List.of(run(new Conv2D(x, weights.get(0), biases.get(0), null, config)));
        }
        INDArray[] parts = new INDArray[group];
        for (int g = 0; g < group; g++) {
            INDArray slice = x.get(NDArrayIndex.all(), NDArrayIndex.interval((long) g * inputsPerGroup,
                    (long) (g + 1) * inputsPerGroup), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
            parts[g] = run(new Conv2D(slice, weights.get(g), biases.get(g), null, config));
        }
        return List.of(Nd4j.concat(1, parts));
    }

    private static INDArray run(org.nd4j.linalg.api.ops.DynamicCustomOp op) {
        return Nd4j.exec(op)[0];
    }
}
