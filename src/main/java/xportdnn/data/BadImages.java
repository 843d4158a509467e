package xportdnn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import xportdnn.model.ModelException;

/**
 * {@code --skip_bad_images}: the images of a selection that cannot be read (a list's missing file, a file that does
 * not decode) are taken out before a run uses them, so that one bad file among 50,000 does not stop it. Each is
 * decoded once to screen it and again when the run reads it (the run's batches must be those of the images kept,
 * cut before any pass); a skipped image is not replaced by another.
 */
public final class BadImages {

    /**
     * A selection screened.
     *
     * @param kept    the images that decode, in their order
     * @param skipped one line per image taken out, naming it and why (the reader's error), in their order
     */
    public record Screened(List<ImageSet.Entry> kept, List<String> skipped) {

        public Screened {
            kept = List.copyOf(kept);
            skipped = List.copyOf(skipped);
        }

        /** Every image kept, none skipped (the flag not given). */
        public static Screened all(List<ImageSet.Entry> images) {
            return new Screened(images, List.of());
        }
    }

    private BadImages() {
    }

    /**
     * {@code images} without the unreadable ones when {@code skip}, else all of them (none decoded). Each is decoded
     * here, in parallel; with --spark the executors decode them instead (xportdnn.spark) and {@link #split} merges.
     */
    public static Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip) {
        if (!skip) {
            return Screened.all(images);
        }
        boolean color = transformer.settings().color();
        String[] errors = new String[images.size()];
        IntStream.range(0, images.size()).parallel().forEach(i -> errors[i] = error(images.get(i), color));
        return split(images, errors);
    }

    /** Why {@code image} cannot be read ({@code color}: as a colour or a grey input reads it), or null if it can. */
    public static String error(ImageSet.Entry image, boolean color) {
        try {
            image.load(color);
            return null;
        } catch (ModelException e) {
            return e.getMessage();
        }
    }

    /**
     * {@code images} split by {@code errors} (per image its {@link #error}, null when it reads). Fails when none
     * reads: a run on no image is still an error, naming the first.
     */
    public static Screened split(List<ImageSet.Entry> images, String[] errors) {
        List<ImageSet.Entry> kept = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < errors.length; i++) {
            if (errors[i] == null) {
                kept.add(images.get(i));
            } else {
                skipped.add(errors[i]);
            }
        }
        if (kept.isEmpty() && !skipped.isEmpty()) {
            throw new ModelException("--skip_bad_images: none of the " + skipped.size() + " images can be read; the "
                    + "first: " + skipped.get(0));
        }
        return new Screened(kept, skipped);
    }
}
