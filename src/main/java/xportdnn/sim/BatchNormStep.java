package xportdnn.sim;

import java.util.List;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.StandaloneBatchNorm;

/**
 * A BatchNorm/Scale pair the device runs as an op of its own (OPCODE_BN), in DynamicFixed mode: each code in the
 * BatchNorm's input format through the device's integer arithmetic ({@link StandaloneBatchNorm}), with the ReLU
 * that op always ends in, into the Scale's output format.
 */
final class BatchNormStep implements SimStep {

    private final StandaloneBatchNorm op;
    private final NumberFormat input;
    private final NumberFormat output;

    BatchNormStep(StandaloneBatchNorm op, NumberFormat input, NumberFormat output) {
        this.op = op;
        this.input = input;
        this.output = output;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        SimTensor x = bottoms.get(0);
        int channels = x.shape().length > 1 ? x.shape()[1] : 1;
        if (channels != op.channels()) {
            throw new IllegalArgumentException("its input has " + channels + " channels, its BatchNorm and Scale "
                    + op.channels());
        }
        int[] codes = x.codesIn(input).toInts();
        int plane = x.plane();
        int[] out = new int[codes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = op.apply(codes[i], i / plane % channels);
        }
        return List.of(SimTensor.ofCodes(x.shape(), Codes.narrowest(out, 0, output.maxCode()), output));
    }

    @Override
    public SimStep forShare() {
        return this; // keeps nothing between calls
    }
}
