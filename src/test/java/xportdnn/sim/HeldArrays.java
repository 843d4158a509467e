package xportdnn.sim;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** For tests outside this package: the ND4J arrays a simulation's integer convolutions hold now. */
public final class HeldArrays {

    private HeldArrays() {
    }

    /** The arrays {@code sim}'s integer convolutions made and hold ({@link IntConvolution#ownArrays}). */
    public static List<INDArray> of(FixedPointNet sim) {
        List<INDArray> held = new ArrayList<>();
        for (SimStep step : sim.steps()) {
            if (step instanceof IntegerStep integer && integer.op() instanceof IntConvolution conv) {
                held.addAll(conv.ownArrays());
            }
        }
        return held;
    }
}
