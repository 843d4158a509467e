package xportdnn.sim;

import java.util.List;
import xportdnn.precision.NumberFormat;

/**
 * A layer the device computes on codes ({@link IntConvolution}: a convolution with its fused BatchNorm/Scale and
 * ReLU, requantized per channel into the output format; {@link IntPooling}): input codes in the layer's input
 * format, the op's codes read in the layer's output format. A pooling does not rescale them (only DynamicFixed
 * average pooling writes its own output format, by its shift; see {@link xportdnn.precision.AveragePooling}).
 */
final class IntegerStep implements SimStep {

    /** The op on a batch of input codes. */
    interface Op {

        /** Its output codes, in an array the next call may overwrite. */
        Codes forward(Codes codes, int batch);

        /** The output shape for {@code batch} images. */
        int[] outputShape(int batch);

        /** The op for another thread ({@link SimStep#forShare}): its weights shared, its buffers its own. */
        Op forShare();

        /** Frees the native arrays it made for itself ({@link SimStep#close}); none, unless it holds some. */
        default void close() {
        }
    }

    private final Op op;
    private final NumberFormat input;
    private final NumberFormat output;

    IntegerStep(Op op, NumberFormat input, NumberFormat output) {
        this.op = op;
        this.input = input;
        this.output = output;
    }

    Op op() {
        return op;
    }

    @Override
    public SimStep forShare() {
        return new IntegerStep(op.forShare(), input, output);
    }

    @Override
    public void close() {
        op.close();
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        SimTensor x = bottoms.get(0);
        int batch = x.shape()[0];
        Codes codes = op.forward(x.codesIn(input), batch);
        return List.of(SimTensor.ofCodes(op.outputShape(batch), codes, output));
    }
}
