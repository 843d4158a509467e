package xportdnn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * {@link Batches} for a caller that goes over the same images several times (fast finetune: one pass per group of
 * layers): the first pass decodes and preprocesses them, and keeps the batches when they fit in an eighth of the
 * heap the JVM may grow to (256 SqueezeNet images: 158 MB), so that later passes do not decode again; otherwise
 * every pass decodes. The batches handed on are the same arrays on every pass: consumers only read them. A caller
 * that stops reading the images (fast finetune once every batch resumes from kept values) goes over the batches'
 * positions only ({@link #runPositions}), which lets the kept images go; a later {@link #run} decodes them again.
 */
public final class RepeatedBatches {

    private final List<ImageSet.Entry> images;
    private final Transformer transformer;
    private final int batchSize;
    private final boolean keep;
    /** The kept batches, once a whole pass has made them; null before, or when they are not kept. */
    private List<float[]> kept;

    public RepeatedBatches(List<ImageSet.Entry> images, Transformer transformer, int batchSize) {
        this(images, transformer, batchSize, Runtime.getRuntime().maxMemory() / 8);
    }

    /** @param budgetBytes the most the kept batches may take */
    RepeatedBatches(List<ImageSet.Entry> images, Transformer transformer, int batchSize, long budgetBytes) {
        this.images = images;
        this.transformer = transformer;
        this.batchSize = batchSize;
        this.keep = (long) images.size() * transformer.size() * Float.BYTES <= budgetBytes;
    }

    /** Whether the batches are kept after the first pass (they fit the budget). */
    boolean keeps() {
        return keep;
    }

    /** Whether decoded images are held now (kept by a whole pass, and not let go since). */
    public boolean holdsImages() {
        return kept != null;
    }

    /** The number of batches a pass hands on. */
    public int count() {
        return (images.size() + batchSize - 1) / batchSize;
    }

    /**
     * A pass that hands on each batch's image count and first position as {@link #run} does, with null for its
     * values: nothing is decoded, and the kept images are let go (up to an eighth of the heap).
     */
    public void runPositions(Batches.Consumer consumer, IntConsumer progress) {
        kept = null;
        for (int first = 0; first < images.size(); first += batchSize) {
            int n = Math.min(batchSize, images.size() - first);
            consumer.accept(null, n, first);
            progress.accept(n);
        }
    }

    /** One pass over the images, as {@link Batches#run} makes it. */
    public void run(Batches.Consumer consumer, IntConsumer progress) {
        if (kept != null) {
            int first = 0;
            for (float[] batch : kept) {
                int n = batch.length / transformer.size();
                consumer.accept(batch, n, first);
                progress.accept(n);
                first += n;
            }
            return;
        }
        List<float[]> made = keep ? new ArrayList<>() : null;
        Batches.run(images, transformer, batchSize, (batch, n, first) -> {
            if (made != null) {
                made.add(batch);
            }
            consumer.accept(batch, n, first);
        }, progress);
        kept = made;
    }
}
