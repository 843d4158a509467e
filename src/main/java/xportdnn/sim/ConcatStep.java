package xportdnn.sim;

import java.util.ArrayList;
import java.util.List;
import xportdnn.precision.NumberFormat;

/**
 * Concat of integer inputs along one axis, each moved into the output format (a no-op when they share it); along
 * the channels, into the output format's part for its channels (block floating point with an exponent per channel
 * puts the inputs' exponents side by side, so no code moves).
 */
final class ConcatStep implements SimStep {

    private final int axis;
    private final NumberFormat output;
    private final ReusedCodes reused = new ReusedCodes();

    /** @param axis the concatenation axis, already resolved (0 <= axis < rank) */
    ConcatStep(int axis, NumberFormat output) {
        this.axis = axis;
        this.output = output;
    }

    @Override
    public SimStep forShare() {
        return new ConcatStep(axis, output);
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        int[] shape = bottoms.get(0).shape().clone();
        shape[axis] = 0;
        for (SimTensor b : bottoms) {
            shape[axis] += b.shape()[axis];
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int outBlock = count(shape, axis);
        List<Codes> in = new ArrayList<>();
        int channel = 0;
        for (SimTensor b : bottoms) {
            // along the channels, each input fills its own channels of a per-channel format
            in.add(b.codesIn(axis == 1 ? output.channelRange(channel, b.shape()[1]) : output));
            channel += axis == 1 ? b.shape()[1] : 0;
        }
        // bytes when every input is: codes held in ints may lie beyond a byte even where the format fits one (a
        // pooling reads its output format's codes from its input unchanged)
        Codes out = reused.get(in.stream().allMatch(Codes::bytes), outer * outBlock);
        int at = 0;
        for (int i = 0; i < in.size(); i++) {
            SimTensor b = bottoms.get(i);
            Codes codes = in.get(i);
            int block = count(b.shape(), axis);
            for (int o = 0; o < outer; o++) {
                codes.copy(o * block, out, o * outBlock + at, block);
            }
            at += block;
        }
        return List.of(SimTensor.ofCodes(shape, out, output));
    }

    private static int count(int[] shape, int from) {
        int n = 1;
        for (int i = from; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }
}
