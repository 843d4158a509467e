package xportdnn.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pictures' counts of two shards add up, and each image's top class is counted once, ties to the lowest. */
class PictureCountsTest {

    @Test
    void shardsAddUp() {
        PictureCounts a = new PictureCounts(3, 1, 1, new int[] {2, 1, 0});
        PictureCounts b = new PictureCounts(2, 2, 0, new int[] {0, 1, 1});
        assertEquals(new PictureCounts(5, 3, 1, new int[] {2, 2, 1}), a.plus(b));
        assertEquals(a, PictureCounts.NONE.plus(a));
        assertEquals(a, a.plus(PictureCounts.NONE));
        assertEquals(0, a.mostCommonClass());
        assertEquals(1, new PictureCounts(4, 0, 0, new int[] {1, 2, 1}).mostCommonClass());
        assertEquals(-1, PictureCounts.NONE.mostCommonClass());
    }

    @Test
    void eachImagesTopClassIsCountedTiesToTheLowest() {
        int[] counts = new int[3];
        // three images of three scores: top 2; a tie of 0 and 1 (0 counts); top 1
        Calibrator.countTopClasses(new float[] {0.1f, 0.2f, 0.7f, 5, 5, -1, -3, -2, -4}, 3, counts);
        assertArrayEquals(new int[] {1, 1, 1}, counts);
    }
}
