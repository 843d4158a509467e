package xportdnn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import xportdnn.model.ModelException;

/**
 * {@code --skip_bad_images}: the images of a selection that cannot be read (a list's missing file, a file that does
 * not decode) are taken out before a run uses them, so that one bad file among 50,000 does not stop it. Each is
 * decoded once here (in parallel) and again when the run reads it; a skipped image is not replaced by another.
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

    /** {@code images} without the unreadable ones when {@code skip}, else all of them (none decoded). */
    public static Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip) {
        return skip ? decodable(images, transformer.settings().color()) : Screened.all(images);
    }

    /**
     * Decodes each of {@code images} ({@code color}: as a colour or a grey input reads it) and keeps those that
     * decode. Fails when none does: a run on no image is still an error, naming the first.
     */
    private static Screened decodable(List<ImageSet.Entry> images, boolean color) {
        String[] errors = new String[images.size()];
        IntStream.range(0, images.size()).parallel().forEach(i -> {
            try {
                images.get(i).load(color);
            } catch (ModelException e) {
                errors[i] = e.getMessage();
            }
        });
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
