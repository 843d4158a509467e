package xportdnn.sim;

/**
 * A step's output array, kept from one pass to the next: at batch 16 a large layer's output is tens of MiB, whose
 * allocation, zeroing and collection cost as much as the layer's arithmetic. The engines keep every layer's output
 * in the same way ({@link xportdnn.model.OutputMemory} budgets for it). The codes handed out by one pass are
 * overwritten by the next, so a pass's result must be read (dequantized) before the next pass starts; every user
 * of {@link #get} writes each element.
 */
final class ReusedCodes {

    private int[] codes = new int[0];

    /** An array of {@code length} codes, with whatever the last pass left in it. */
    int[] get(int length) {
        if (codes.length != length) {
            codes = new int[length];
        }
        return codes;
    }
}
