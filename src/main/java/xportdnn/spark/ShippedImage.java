package xportdnn.spark;

import java.io.Serializable;
import java.util.OptionalInt;
import xportdnn.data.ImageSet;

/**
 * One image as a task receives it: its name in the set, its label (-1 for none) and the qualified location
 * executors read it from through Hadoop ({@link HadoopImages}).
 */
record ShippedImage(String name, int label, String location) implements Serializable {

    /** An entry of a set listed by {@link HadoopImages} (with --spark every set is). */
    static ShippedImage of(ImageSet.Entry entry) {
        if (!(entry.pixels() instanceof HadoopImages.Image image)) {
            throw new IllegalStateException("image '" + entry.name() + "' was not listed through Hadoop");
        }
        return new ShippedImage(entry.name(), entry.label().orElse(-1), image.file());
    }

    /** The entry on an executor, read through {@code store}. */
    ImageSet.Entry entry(HadoopImages store) {
        return new ImageSet.Entry(name, label < 0 ? OptionalInt.empty() : OptionalInt.of(label),
                new HadoopImages.Image(store, location));
    }
}
