package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

class ImageResizeTest {

    private static final Path FIXTURES = Path.of("testdata/resize");

    /** Against scikit-image itself (testdata/resize/make_resize_fixtures.py): up, down and mixed scaling. */
    @ParameterizedTest
    @CsvSource({"colour_5x7, 9, 11", "colour_5x7, 3, 4", "colour_5x7, 5, 12", "colour_5x7, 2, 7",
            "grey_6x4, 13, 9", "grey_6x4, 3, 2"})
    void matchesCaffeIoResizeImage(String input, int height, int width) {
        FloatImage resized = ImageResize.resize(image(Npy.read(FIXTURES.resolve(input + ".npy"))), height, width);
        FloatImage expected = image(Npy.read(FIXTURES.resolve(input + "_to_" + height + "x" + width + ".npy")));
        assertEquals(expected.height(), resized.height());
        assertEquals(expected.width(), resized.width());
        assertArrayEquals(expected.pixels(), resized.pixels(), 2e-7f);
    }

    /**
     * By hand: [0.2, 0.6] to 4 samples at -0.25, 0.25, 0.75, 1.25. Outside the image skimage reads 0 in
     * caffe.io's [0, 1]-normalised image, i.e. the minimum 0.2, so the ends are 0.2 and 0.75 * 0.6 + 0.25 * 0.2.
     */
    @Test
    void enlargingBlendsTheBorderTowardTheMinimum() {
        FloatImage row = new FloatImage(1, 2, 1, new float[] {0.2f, 0.6f});
        FloatImage out = ImageResize.resize(row, 1, 4);
        assertArrayEquals(new float[] {0.2f, 0.3f, 0.5f, 0.5f}, out.pixels(), 1e-7f);
    }

    /** By hand: halving 4 samples reads coordinates 0.5 and 2.5, with no blur before. */
    @Test
    void shrinkingInterpolatesWithoutAntiAliasing() {
        FloatImage row = new FloatImage(1, 4, 1, new float[] {0, 0.3f, 0.9f, 0.6f});
        assertArrayEquals(new float[] {0.15f, 0.75f}, ImageResize.resize(row, 1, 2).pixels(), 1e-7f);
    }

    @Test
    void sameSizeIsLeftAlone() {
        FloatImage img = new FloatImage(2, 2, 1, new float[] {1, 2, 3, 4});
        assertSame(img, ImageResize.resize(img, 2, 2));
    }

    private static FloatImage image(Blob hwc) {
        int[] s = hwc.shape();
        return new FloatImage(s[0], s[1], s[2], hwc.data());
    }
}
