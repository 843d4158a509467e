package xportdnn.sim;

import java.util.List;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.Requantizer;

/** A ReLU over integer codes that is not fused into a convolution: max(q, 0), moved to its output format if needed. */
final class ReluStep implements SimStep {

    private final NumberFormat input;
    private final NumberFormat output;
    private final Requantizer relu;

    ReluStep(NumberFormat input, NumberFormat output) {
        this.input = input;
        this.output = output;
        this.relu = output.from(input).withRelu();
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        SimTensor x = bottoms.get(0);
        int[] codes = relu.applyAll(x.codesIn(input).toInts(), x.plane());
        return List.of(SimTensor.ofCodes(x.shape(), Codes.narrowest(codes, relu.lower(), relu.upper()), output));
    }

    @Override
    public SimStep forShare() {
        return this; // keeps nothing between calls
    }
}
