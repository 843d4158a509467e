package xportdnn.sim;

import java.util.Map;

/**
 * The blobs a simulated pass of some images held before one of its steps, as the simulator holds them (codes in
 * their format, copied out of the steps' reused arrays): every blob a later step reads. A pass of the same images
 * through a net whose layers up to there are the same resumes from it bit-exactly
 * ({@link FixedPointNet#forwardValuesFirst(PassFrontier, int, int, FixedPointNet.LazyValuesObserver)}).
 */
public final class PassFrontier {

    /** The index (net order) of the first layer the step computes. */
    private final int layer;
    private final Map<String, SimTensor> blobs;

    PassFrontier(int layer, Map<String, SimTensor> blobs) {
        this.layer = layer;
        this.blobs = Map.copyOf(blobs);
    }

    int layer() {
        return layer;
    }

    Map<String, SimTensor> blobs() {
        return blobs;
    }

    /** The values of a blob held (dequantized, C order, batch first; the caller's copy), or null when not held. */
    public float[] values(String blob) {
        SimTensor t = blobs.get(blob);
        return t == null ? null : t.valuesCopy();
    }

    /** The bytes its blobs take. */
    public long bytes() {
        return blobs.values().stream().mapToLong(SimTensor::bytes).sum();
    }
}
