package xportdnn.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.OptionalInt;
import xportdnn.data.ImageSet;
import xportdnn.model.ModelException;

/**
 * One image as a task receives it: its name in the set, its label (-1 for none) and the path executors read it
 * from (the same path on every machine: a shared file system).
 */
record ShippedImage(String name, int label, String path) implements Serializable {

    static ShippedImage of(ImageSet.Entry entry) {
        if (!(entry.pixels() instanceof ImageSet.ImageFile file)) {
            throw new ModelException("--spark: image '" + entry.name() + "' is a record of an IDX file; Spark tasks "
                    + "read image files (give a folder or a val.txt-style list)");
        }
        return new ShippedImage(entry.name(), entry.label().orElse(-1),
                file.file().toAbsolutePath().toString());
    }

    ImageSet.Entry entry() {
        return new ImageSet.Entry(name, label < 0 ? OptionalInt.empty() : OptionalInt.of(label),
                new ImageSet.ImageFile(Path.of(path)));
    }
}
