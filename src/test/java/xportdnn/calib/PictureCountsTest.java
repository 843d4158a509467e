package xportdnn.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The pictures' counts of two shards add up, in either order; each image's top class is counted once, ties to the
 * lowest, with the margin of its best score over the second.
 */
class PictureCountsTest {

    @Test
    void shardsAddUp() {
        PictureCounts a = new PictureCounts(3, 1, 1, new int[] {2, 1, 0}, new float[] {0.5f, 0.1f, 2});
        PictureCounts b = new PictureCounts(2, 2, 0, new int[] {0, 1, 1}, new float[] {0.3f, 0});
        PictureCounts both = new PictureCounts(5, 3, 1, new int[] {2, 2, 1}, new float[] {0, 0.1f, 0.3f, 0.5f, 2});
        assertEquals(both, a.plus(b));
        assertEquals(both, b.plus(a));
        assertEquals(a, PictureCounts.NONE.plus(a));
        assertEquals(a, a.plus(PictureCounts.NONE));
        assertEquals(0, a.mostCommonClass());
        assertEquals(1, new PictureCounts(4, 0, 0, new int[] {1, 2, 1}, new float[4]).mostCommonClass());
        assertEquals(-1, PictureCounts.NONE.mostCommonClass());
        assertEquals(2, both.marginsBelow(0.3));
        assertEquals(4, both.marginsBelow(0.5000001));
        assertEquals(0, both.marginsBelow(0));
    }

    @Test
    void eachImagesTopClassIsCountedTiesToTheLowestWithItsMargin() {
        TopClassTally tally = new TopClassTally(3);
        // three images of three scores: top 2 by 0.5; a tie of 0 and 1 (0 counts, margin 0); top 1 by 1
        tally.add(new float[] {0.1f, 0.2f, 0.7f, 5, 5, -1});
        tally.add(new float[] {-3, -2, -4});
        assertArrayEquals(new int[] {1, 1, 1}, tally.counts());
        assertArrayEquals(new float[] {0.5f, 0, 1}, tally.margins(), 1e-6f);
        // more images than the first array holds
        TopClassTally many = new TopClassTally(2);
        for (int i = 0; i < 100; i++) {
            many.add(new float[] {i, 0});
        }
        assertEquals(100, many.margins().length);
        assertEquals(99f, many.margins()[99]);
        assertArrayEquals(new int[] {100, 0}, many.counts()); // image 0's tie goes to class 0 too
    }
}
