package xportdnn.data;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Cuts a list of images into batches, preprocesses each batch into one N x C x H x W array (decoding images in
 * parallel: each decode is single-threaded and independent) and hands it on, reporting finished images.
 */
public final class Batches {

    /** Receives one preprocessed batch: {@code images} images starting at position {@code first} of the list. */
    @FunctionalInterface
    public interface Consumer {
        void accept(float[] batch, int images, int first);
    }

    /** Sees each image as it was decoded (on the decoding thread, before its batch is handed on). */
    @FunctionalInterface
    public interface Decoded {
        void accept(int index, FloatImage image);
    }

    private Batches() {
    }

    public static void run(List<ImageSet.Entry> images, Transformer transformer, int batchSize, Consumer consumer,
                           IntConsumer progress) {
        run(images, transformer, batchSize, (index, image) -> {
        }, consumer, progress);
    }

    /** As {@link #run}, showing {@code decoded} each decoded image with its position in the list. */
    public static void run(List<ImageSet.Entry> images, Transformer transformer, int batchSize, Decoded decoded,
                           Consumer consumer, IntConsumer progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        }
        int size = transformer.size();
        for (int start = 0; start < images.size(); start += batchSize) {
            int first = start;
            int n = Math.min(batchSize, images.size() - start);
            float[] batch = new float[n * size];
            IntStream.range(0, n).parallel()
                    .forEach(i -> decoded.accept(first + i, transformer.preprocess(images.get(first + i), batch,
                            i * size)));
            consumer.accept(batch, n, first);
            progress.accept(n);
        }
    }
}
