package xportdnn.data;

import java.util.function.Predicate;

/**
 * One yes/no per image of a set, set as each image decodes ({@link Batches.Decoded}; decoding threads write
 * distinct indices): which images are grey, which carry an EXIF orientation, and how many.
 */
public final class ImageFlags implements Batches.Decoded {

    private final boolean[] flags;
    private final Predicate<FloatImage> test;

    /** @param images how many images the set has; {@code test} says yes or no of each */
    public ImageFlags(int images, Predicate<FloatImage> test) {
        this.flags = new boolean[images];
        this.test = test;
    }

    @Override
    public void accept(int index, FloatImage image) {
        flags[index] = test.test(image);
    }

    /** Whether image {@code index} (decoded already) got a yes. */
    public boolean get(int index) {
        return flags[index];
    }

    /** How many images got a yes. */
    public int count() {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }
}
