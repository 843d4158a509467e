package xportdnn.sim;

import xportdnn.precision.NumberFormat;
import java.util.List;

/**
 * A convolution on the device, with the BatchNorm/Scale and ReLU fused into it: input codes in the layer's input
 * format, integer convolution, per-channel requantization into the output format.
 */
final class ConvolutionStep implements SimStep {

    private final IntConvolution convolution;
    private final NumberFormat input;
    private final NumberFormat output;

    ConvolutionStep(IntConvolution convolution, NumberFormat input, NumberFormat output) {
        this.convolution = convolution;
        this.input = input;
        this.output = output;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        SimTensor x = bottoms.get(0);
        int batch = x.shape()[0];
        int[] codes = convolution.forward(x.codesIn(input), batch);
        return List.of(SimTensor.ofCodes(convolution.outputShape(batch), codes, output));
    }
}
