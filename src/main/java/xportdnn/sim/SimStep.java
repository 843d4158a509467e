package xportdnn.sim;

import java.util.List;

/** The computation of one simulated layer (or fused chain of layers): its tops from its bottoms. */
@FunctionalInterface
interface SimStep {

    List<SimTensor> run(List<SimTensor> bottoms);
}
