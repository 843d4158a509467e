package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FloatImageTest {

    @Test
    void greyIsOneChannelOrEqualChannelsWithinTheTolerance() {
        assertTrue(new FloatImage(1, 2, 1, new float[] {0.1f, 0.9f}).grey(0));
        assertTrue(new FloatImage(1, 2, 1, new float[] {0.1f, 0.9f}).toColor().grey(0));
        float[] nearlyGrey = {0.50f, 0.50f, 0.505f, 0.2f, 0.2f, 0.2f};
        assertTrue(new FloatImage(1, 2, 3, nearlyGrey).grey(0.01f));
        assertFalse(new FloatImage(1, 2, 3, nearlyGrey).grey(0.001f));
        // one coloured pixel is enough
        assertFalse(new FloatImage(1, 2, 3, new float[] {0.5f, 0.5f, 0.5f, 0.2f, 0.6f, 0.2f}).grey(0.01f));
    }
}
