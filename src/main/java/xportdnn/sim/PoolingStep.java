package xportdnn.sim;

import xportdnn.precision.NumberFormat;
import java.util.List;

/**
 * Pooling on the device: input codes read in the layer's input format and pooled; the codes the device writes are
 * read in the layer's output format. The device does not rescale them (only DynamicFixed average pooling writes
 * its own output format, by its shift; see {@link AveragePooling}).
 */
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
        return List.of(SimTensor.ofCodes(pooling.outputShape(batch), codes, output));
    }
}
