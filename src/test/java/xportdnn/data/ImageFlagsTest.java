package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageFlagsTest {

    /** Three images decoded out of order, two of them turned (orientations 6 and 3): yes at 0 and 2, two yeses. */
    @Test
    void flagsEachImageByItsIndexAndCountsTheYeses() {
        ImageFlags turned = new ImageFlags(3, FloatImage::turned);
        turned.accept(2, new FloatImage(1, 1, 1, new float[] {0}, 3));
        turned.accept(1, new FloatImage(1, 1, 1, new float[] {0}));
        turned.accept(0, new FloatImage(1, 1, 1, new float[] {0}, 6));
        assertTrue(turned.get(0));
        assertFalse(turned.get(1));
        assertTrue(turned.get(2));
        assertEquals(2, turned.count());
    }
}
