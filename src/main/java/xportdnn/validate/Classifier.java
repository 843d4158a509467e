package xportdnn.validate;

import xportdnn.data.Batches;
import xportdnn.data.FloatImage;
import xportdnn.data.ImageFlags;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;

/**
 * Classifies a set of images with the float engine in batches: each image is decoded and preprocessed, the batch
 * run forward, and each image's row of the class-score blob ranked. The scores are taken as probabilities when the
 * first batch's rows are distributions (a Softmax output), otherwise as logits to which a softmax is applied.
 */
public final class Classifier {

    /** How many classes a prediction lists. */
    public static final int TOP = 5;

    /**
     * @param predictions one per image, in the set's order
     * @param softmaxApplied whether the blob held logits that were turned into probabilities
     * @param turned         how many of the images' files carry an EXIF orientation other than 1 (read as stored)
     */
    public record Result(List<Prediction> predictions, boolean softmaxApplied, int turned) {
    }

    private final FloatEngine engine;
    private final Transformer transformer;
    private final String blob;
    private final int classes;
    private final int batchSize;

    /**
     * @param blob    the class-score blob: {@code classes} values per image
     */
    public Classifier(FloatEngine engine, Transformer transformer, String blob, int classes, int batchSize) {
        this.engine = engine;
        this.transformer = transformer;
        this.blob = blob;
        this.classes = classes;
        this.batchSize = batchSize;
    }

    /** Classifies every image, reporting each finished batch's image count to {@code progress}. */
    public Result run(List<ImageSet.Entry> images, IntConsumer progress) {
        List<Prediction> predictions = new ArrayList<>(images.size());
        Boolean[] softmax = {null};
        ImageFlags turned = new ImageFlags(images.size(), FloatImage::turned);
        Batches.run(images, transformer, batchSize, turned, (batch, n, first) -> {
            float[] scores = Tensors.floats(BlobCapture.forward(engine, batch, n, blob, null));
            if (softmax[0] == null) {
                softmax[0] = !Prediction.isDistribution(scores, n, classes);
            }
            for (int i = 0; i < n; i++) {
                predictions.add(Prediction.rank(scores, i * classes, classes, TOP, softmax[0]));
            }
        }, progress);
        return new Result(predictions, Boolean.TRUE.equals(softmax[0]), turned.count());
    }
}
