package xportdnn.sim;

import java.util.List;
import xportdnn.precision.NumberFormat;

/**
 * Eltwise SUM or MAX on the device: every input moved into the output format (a no-op where they share it, as a
 * max's do; a sum's output has a range of its own), then added with saturation to the output's codes, or
 * compared. A sum saturates only its result: an input is moved to the output's scale within {@value #SUM_LIMIT},
 * so that a signed input of an unsigned sum (F8Net's residual add, a ReLU after it) keeps its negative values.
 */
final class EltwiseStep implements SimStep {

    /** The bound of an input moved to a sum's scale: far beyond any code, far below int overflow in the sum. */
    static final int SUM_LIMIT = 1 << 24;

    private final boolean sum;
    private final NumberFormat output;

    EltwiseStep(boolean sum, NumberFormat output) {
        this.sum = sum;
        this.output = output;
    }

    @Override
    public List<SimTensor> run(List<SimTensor> bottoms) {
        int[] first = in(bottoms.get(0));
        long[] acc = new long[first.length];
        for (int i = 0; i < first.length; i++) {
            acc[i] = first[i];
        }
        for (SimTensor b : bottoms.subList(1, bottoms.size())) {
            int[] codes = in(b);
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
        return List.of(SimTensor.ofCodes(bottoms.get(0).shape(), Codes.narrowest(out, lo, hi), output));
    }

    private int[] in(SimTensor bottom) {
        // a format wider than the limit (F8Net's 32-bit accumulators) moves its inputs within its own range
        return sum ? bottom.codesOnScaleOf(output, Math.max(SUM_LIMIT, output.maxCode()))
                : bottom.codesIn(output).toInts();
    }

    @Override
    public SimStep forShare() {
        return this; // keeps nothing between calls
    }
}
