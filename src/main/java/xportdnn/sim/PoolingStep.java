package xportdnn.sim;

import java.util.List;

/** Pooling on the device: input codes in the layer's input format, pooled, moved to its output format if it differs. */
final class PoolingStep implements SimStep {

    private final IntPooling pooling;
    private final NumberFormat input;
    private final NumberFormat output;

    PoolingStep(IntPooling pooling, NumberFormat input, NumberFormat output) {
        this.pooling = pooling;
        this.input = input;
        this.output = output;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        SimTensor x = bottoms.get(0);
        int batch = x.shape()[0];
        int[] codes = pooling.forward(x.codesIn(input), batch);
        if (!output.equals(input)) {
            codes = output.from(input).applyAll(codes);
        }
        return List.of(SimTensor.ofCodes(pooling.outputShape(batch), codes, output));
    }
}
