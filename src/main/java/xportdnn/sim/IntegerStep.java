package xportdnn.sim;

import java.util.List;
import java.util.function.IntFunction;
import xportdnn.precision.NumberFormat;

/**
 * A layer the device computes on codes ({@link IntConvolution}: a convolution with its fused BatchNorm/Scale and
 * ReLU, requantized per channel into the output format; {@link IntPooling}): input codes in the layer's input
 * format, the op's codes read in the layer's output format. A pooling does not rescale them (only DynamicFixed
 * average pooling writes its own output format, by its shift; see {@link xportdnn.precision.AveragePooling}).
 */
final class IntegerStep implements SimStep {

    /** The op on a batch of input codes: its output codes, in an array the next call may overwrite. */
    @FunctionalInterface
    interface Op {
        Codes forward(Codes codes, int batch);
    }

    private final Op op;
    private final IntFunction<int[]> outputShape;
    private final NumberFormat input;
    private final NumberFormat output;

    /** @param outputShape the op's output shape for a batch */
    IntegerStep(Op op, IntFunction<int[]> outputShape, NumberFormat input, NumberFormat output) {
        this.op = op;
        this.outputShape = outputShape;
        this.input = input;
        this.output = output;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        SimTensor x = bottoms.get(0);
        int batch = x.shape()[0];
        Codes codes = op.forward(x.codesIn(input), batch);
        return List.of(SimTensor.ofCodes(outputShape.apply(batch), codes, output));
    }
}
