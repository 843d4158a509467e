package xportdnn.validate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;

/**
 * Runs an SSD detector over a set of images with the float engine in batches, keeping each image's detections
 * (its DetectionOutput rows without the padding) and the size of its file's picture, which the boxes' normalized
 * corners are scaled to.
 */
public final class Detector {

    /**
     * One image's detections.
     *
     * @param rows   DetectionOutput rows ({@link DetectionAgreement#ROW} values each), most confident first per
     *               label, padding rows left out
     * @param width  the picture's width as decoded, before any resize
     * @param height its height
     */
    public record Detections(float[] rows, int width, int height) {
    }

    private final FloatEngine engine;
    private final Transformer transformer;
    private final String blob;
    private final int batchSize;

    /** @param blob the DetectionOutput blob */
    public Detector(FloatEngine engine, Transformer transformer, String blob, int batchSize) {
        this.engine = engine;
        this.transformer = transformer;
        this.blob = blob;
        this.batchSize = batchSize;
    }

    /** Detects in every image, reporting each finished batch's image count to {@code progress}. */
    public List<Detections> run(List<ImageSet.Entry> images, IntConsumer progress) {
        List<Detections> detections = new ArrayList<>(images.size());
        int[][] sizes = new int[images.size()][];
        Batches.run(images, transformer, batchSize, (index, image) -> sizes[index] = new int[] {image.width(),
            image.height()}, (batch, n, first) -> {
                float[] rows = Tensors.floats(BlobCapture.forward(engine, batch, n, blob, null));
                int each = rows.length / n; // the same number of rows per image, padded
                for (int i = 0; i < n; i++) {
                    float[] image = Arrays.copyOfRange(rows, i * each, (i + 1) * each);
                    int[] size = sizes[first + i];
                    detections.add(new Detections(withoutPadding(image), size[0], size[1]));
                }
            }, progress);
        return detections;
    }

    /** The rows of a detection (confidence above 0); DetectionOutput pads an image's rows with zeros. */
    static float[] withoutPadding(float[] rows) {
        int row = DetectionAgreement.ROW;
        float[] kept = new float[rows.length];
        int n = 0;
        for (int r = 0; r + row <= rows.length; r += row) {
            if (rows[r + 2] > DetectionAgreement.PADDING) {
                System.arraycopy(rows, r, kept, n, row);
                n += row;
            }
        }
        return Arrays.copyOf(kept, n);
    }
}
