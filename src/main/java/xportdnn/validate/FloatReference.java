package xportdnn.validate;

import java.util.List;

/**
 * The float net's side of scoring a set of images, computed once ({@link Validator#floatReference}): per batch, its
 * scored output and the class scores whose margins validate counts. compare scores every scheme against one
 * reference instead of running the float net again for each; the values are those of the float pass
 * {@link Validator#run(List, java.util.function.IntConsumer)} makes, layer by layer.
 *
 * @param batchSize the images per batch it was computed in (the scoring's batches must be the same)
 * @param images    the images it was computed on
 * @param batches   per batch in order, its values
 */
public record FloatReference(int batchSize, int images, List<Batch> batches) {

    /**
     * One batch's float values.
     *
     * @param scores      the scored output, batch first
     * @param classScores the class scores before a final Softmax, batch first; null when the output is not one
     *                    score per class
     */
    public record Batch(float[] scores, float[] classScores) {
    }

    /** The values of the batch starting at image {@code first}. */
    Batch batchAt(int first) {
        return batches.get(first / batchSize);
    }
}
