package xportdnn.engine.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;

/**
 * Caffe's Convolution with one input channel per group (MobileNet's depthwise layers, any channel multiplier),
 * computed by {@link DepthwiseKernel} on channels-first planes copied in and out of ND4J's memory in bulk. ND4J's
 * depthwise_conv2d, which ran these before, reached about 2 GFLOP/s on MobileNet v1 (a third of its pass) and took
 * a channel multiplier above 1 only through an im2col buffer kernel-area times the output.
 */
final class DepthwiseConvolution implements LayerOp {

    private final String name;
    private final ConvGeometry geometry;
    private final int inputs;
    private final DepthwiseKernel kernel;
    /** Per output channel (zeros without a bias term). */
    private final float[] bias;
    private final Buffers buffers = new Buffers();
    private final long inputValues;

    DepthwiseConvolution(Layer layer, List<int[]> bottomShapes) {
        name = layer.name();
        geometry = Layers.convGeometry(layer, bottomShapes);
        inputs = geometry.inChannels();
        int outputs = geometry.outChannels();
        kernel = new DepthwiseKernel(geometry, bottomShapes.get(0),
                Layers.weight(layer, 0, outputs * geometry.kernelVolume()).data());
        bias = layer.param().getConvolutionParam().getBiasTerm() ? Layers.weight(layer, 1, outputs).data()
                : new float[outputs];
        inputValues = Tensors.valuesPerImage(bottomShapes.get(0));
    }

    /** Another op of the same kernel and bias, its buffers its own. */
    private DepthwiseConvolution(DepthwiseConvolution from) {
        name = from.name;
        geometry = from.geometry;
        inputs = from.inputs;
        kernel = from.kernel;
        bias = from.bias;
        inputValues = from.inputValues;
    }

    /** Whether {@code layer} over {@code bottomShapes} has one input channel per group of several. */
    static boolean suits(Layer layer, List<int[]> bottomShapes) {
        return DepthwiseLayout.isDepthwise(Layers.convGeometry(layer, bottomShapes), bottomShapes.get(0));
    }

    @Override
    public LayerOp sharingWeights() {
        return new DepthwiseConvolution(this);
    }

    /** A dense copy of an input that is a view (the output is the top, the kernel's rows are Java arrays). */
    @Override
    public long workspaceValuesPerImage() {
        return inputValues;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        Layers.requireChannels(name, bottoms.get(0), inputs);
        // a view is copied into a kept buffer: a fresh copy per call is native garbage the collector frees late
        INDArray x = buffers.dense(1, bottoms.get(0));
        int[] outShape = geometry.outputShape(Layers.intShape(x), false);
        INDArray out = buffers.get(0, Arrays.stream(outShape).asLongStream().toArray());
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer top = out.data().asNioFloat();
        int inPlane = Math.toIntExact(x.size(2) * x.size(3));
        int outPlane = outShape[2] * outShape[3];
        int outputs = outShape[1];
        kernel.run(outShape[0], () -> new DepthwiseKernel.Planes() {
            @Override
            public void read(int image, int channel, float[] plane) {
                in.get((image * inputs + channel) * inPlane, plane, 0, inPlane);
            }

            @Override
            public void write(int image, int channel, float[] sums) {
                float b = bias[channel];
                for (int i = 0; i < outPlane; i++) {
                    sums[i] += b;
                }
                top.put((image * outputs + channel) * outPlane, sums, 0, outPlane);
            }
        });
        return List.of(out);
    }

    @Override
    public void close() {
        buffers.close();
    }
}
