package xportdnn.sim;

import java.lang.ref.SoftReference;

/**
 * A step's output array, kept from one pass to the next while the heap has room: at batch 16 a large layer's output
 * is tens of MiB, whose allocation, zeroing and collection cost as much as the layer's arithmetic. The array is
 * held softly, because the collector gives soft references back before the heap runs out: a caller whose heap is
 * tight (the launcher gives validate 600 MB) runs in the heap it needed before the arrays were kept, at the cost of
 * allocating them anew, instead of running out of it. The
 * codes handed out by one pass are overwritten by the next, so a pass's result must be read (dequantized) before
 * the next pass starts; every user of {@link #get} writes each element.
 */
final class ReusedCodes {

    private SoftReference<Codes> codes = new SoftReference<>(null);

    /** {@code length} codes in bytes or ints, with whatever the last pass left in them (or zeros). */
    Codes get(boolean bytes, int length) {
        Codes kept = codes.get();
        if (kept == null || kept.length() != length || kept.bytes() != bytes) {
            kept = Codes.allocate(bytes, length);
            codes = new SoftReference<>(kept);
        }
        return kept;
    }
}
