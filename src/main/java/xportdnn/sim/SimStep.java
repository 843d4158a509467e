package xportdnn.sim;

import java.util.List;
import xportdnn.engine.BatchShares;

/** The computation of one simulated layer (or fused chain of layers): its tops from its bottoms. */
interface SimStep {

    List<SimTensor> run(List<SimTensor> bottoms);

    /**
     * A step computing the same on another thread at the same time (a share of a batch, {@link BatchShares}): the
     * immutable parts (weights, requantizers, formats) shared, the buffers of its own; a step that keeps nothing
     * from one call to the next returns itself.
     */
    SimStep forShare();

    /**
     * Frees the native arrays the step made for itself now, not at some garbage collection (none, for most: their
     * weights are Java arrays); a step that shares them with the step it was made from ({@link #forShare}) frees
     * only its own. Run again, it makes them again.
     */
    default void close() {
    }
}
