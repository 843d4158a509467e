package xportdnn.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;

/**
 * {@code --skip_bad_images} as Spark tasks: each task decodes its images and returns those it cannot read, with the
 * reader's error; the driver puts them back at their places in the selection, so the images kept and the lines
 * skipped are those one machine finds, in its order. A list's line naming a missing file is known where the list is
 * read (the driver) and is never shipped.
 */
final class ScreeningTasks {

    /** An image a task cannot read: its position in the selection and why. */
    record Unreadable(int index, String error) implements Serializable {
    }

    private ScreeningTasks() {
    }

    /**
     * The images to ship, one per batch whose index is the image's position; {@code errors} gets the reasons of
     * the missing files, which are not shipped.
     */
    static List<ImageBatch> shipped(List<ImageSet.Entry> images, String[] errors) {
        List<ImageBatch> batches = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageSet.Entry entry = images.get(i);
            if (entry.pixels() instanceof ImageSet.Missing missing) {
                errors[i] = missing.reason();
            } else {
                batches.add(new ImageBatch(i, List.of(ShippedImage.of(entry))));
            }
        }
        return batches;
    }

    /** A task: the images of its batches that {@code store} cannot read ({@code color}: as the net reads them). */
    static Iterator<Unreadable> unreadable(HadoopImages store, boolean color, Iterator<ImageBatch> batches) {
        List<Unreadable> out = new ArrayList<>();
        batches.forEachRemaining(b -> {
            ImageSet.Entry image = b.entries(store).get(0);
            String error = BadImages.error(image, color);
            if (error != null) {
                out.add(new Unreadable(b.index(), error));
            }
        });
        return out.iterator();
    }

    /** The selection screened: the tasks' unreadable images added to the driver's {@code errors}, then split. */
    static BadImages.Screened merge(List<ImageSet.Entry> images, String[] errors, List<Unreadable> found) {
        for (Unreadable u : found) {
            errors[u.index()] = u.error();
        }
        return BadImages.split(images, errors);
    }
}
