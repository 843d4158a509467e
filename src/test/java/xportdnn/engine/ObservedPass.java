package xportdnn.engine;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;

/**
 * For the tests of what a pass without an observer does differently (batch shares, the observer-free plan's
 * rewrites): seeded Gaussian inputs, and the reference pass an observer forces, which runs every layer as written on
 * the whole batch.
 */
final class ObservedPass {

    private ObservedPass() {
    }

    /** {@code count} standard Gaussian values drawn with {@code seed}. */
    static float[] gaussian(long seed, int count) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Blob {@code blob} after a pass with an observer that does nothing: every layer, the batch whole. */
    static float[] everyLayer(FloatEngine engine, INDArray input, String blob) {
        return Tensors.floats(engine.forward(input, (layer, tops) -> { }).get(blob));
    }
}
