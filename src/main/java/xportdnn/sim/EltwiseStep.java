package xportdnn.sim;

import java.util.List;
import xportdnn.precision.NumberFormat;

/**
 * Eltwise SUM or MAX on the device: every input moved into the output format (a no-op when, as the quantizers
 * make it, all share it), then added with saturation to the output's codes, or compared.
 */
final class EltwiseStep implements SimStep {

    private final boolean sum;
    private final NumberFormat output;

    EltwiseStep(boolean sum, NumberFormat output) {
        this.sum = sum;
        this.output = output;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        int[] first = bottoms.get(0).codesIn(output);
        long[] acc = new long[first.length];
        for (int i = 0; i < first.length; i++) {
            acc[i] = first[i];
        }
        for (SimTensor b : bottoms.subList(1, bottoms.size())) {
            int[] codes = b.codesIn(output);
            if (codes.length != acc.length) {
                throw new IllegalArgumentException("bottoms differ in size: " + acc.length + " and " + codes.length);
            }
            for (int i = 0; i < acc.length; i++) {
                acc[i] = sum ? acc[i] + codes[i] : Math.max(acc[i], codes[i]);
            }
        }
        int[] out = new int[acc.length];
        int lo = output.minCode();
        int hi = output.maxCode();
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) Math.max(lo, Math.min(hi, acc[i]));
        }
        return List.of(SimTensor.ofCodes(bottoms.get(0).shape(), out, output));
    }
}
