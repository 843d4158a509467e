package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Passes over the same images: decoded once when they fit the budget, else on every pass; the same batches. */
class RepeatedBatchesTest {

    /** Grey 1 x 2 images: image i has pixels i/255 and 2i/255, so raw scale 255 gives values i and 2i. */
    private static List<ImageSet.Entry> images(int count, AtomicInteger loads) {
        return IntStream.range(0, count).mapToObj(i -> new ImageSet.Entry("img" + i, OptionalInt.empty(), color -> {
            loads.incrementAndGet();
            return new FloatImage(1, 2, 1, new float[] {i / 255f, 2 * i / 255f});
        })).toList();
    }

    private static final Transformer GREY_1X2 = new Transformer(new Preprocessing(new int[] {1, 1, 2}, null,
            new int[] {0}, 255f, null, null, 1f));

    /** What one pass hands on: per batch its first image's position, its image count and its values. */
    private static List<String> pass(RepeatedBatches batches, AtomicInteger progress) {
        List<String> seen = new ArrayList<>();
        batches.run((batch, n, first) -> seen.add(first + ":" + n + ":" + Arrays.toString(batch)),
                progress::addAndGet);
        return seen;
    }

    @Test
    void batchesThatFitAreDecodedOnceAndHandedOnAlike() {
        AtomicInteger loads = new AtomicInteger();
        AtomicInteger progress = new AtomicInteger();
        // 5 images of 2 floats: 40 bytes
        RepeatedBatches batches = new RepeatedBatches(images(5, loads), GREY_1X2, 2, 40);
        assertTrue(batches.keeps());
        List<String> expected = List.of("0:2:[0.0, 0.0, 1.0, 2.0]", "2:2:[2.0, 4.0, 3.0, 6.0]", "4:1:[4.0, 8.0]");
        assertEquals(expected, pass(batches, progress));
        assertEquals(expected, pass(batches, progress));
        assertEquals(5, loads.get());
        assertEquals(10, progress.get());
    }

    @Test
    void batchesOverTheBudgetAreDecodedOnEveryPass() {
        AtomicInteger loads = new AtomicInteger();
        RepeatedBatches batches = new RepeatedBatches(images(5, loads), GREY_1X2, 2, 39);
        assertFalse(batches.keeps());
        List<String> first = pass(batches, new AtomicInteger());
        assertEquals(first, pass(batches, new AtomicInteger()));
        assertEquals(10, loads.get());
    }

    /** A pass over the positions only decodes nothing and lets the kept images go; the next full pass decodes again. */
    @Test
    void aPassOverThePositionsLetsTheImagesGo() {
        AtomicInteger loads = new AtomicInteger();
        RepeatedBatches batches = new RepeatedBatches(images(5, loads), GREY_1X2, 2, 40);
        List<String> decoded = pass(batches, new AtomicInteger());
        assertTrue(batches.holdsImages());
        assertEquals(3, batches.count());

        List<String> positions = new ArrayList<>();
        AtomicInteger progress = new AtomicInteger();
        batches.runPositions((batch, n, first) -> positions.add(first + ":" + n + ":" + batch), progress::addAndGet);
        assertEquals(List.of("0:2:null", "2:2:null", "4:1:null"), positions);
        assertEquals(5, progress.get());
        assertFalse(batches.holdsImages());
        assertEquals(5, loads.get());

        assertEquals(decoded, pass(batches, new AtomicInteger()));
        assertEquals(10, loads.get());
        assertTrue(batches.holdsImages());
    }
}
