package xportdnn.model;

import java.util.List;
import java.util.Locale;

/**
 * Which file names an image folder's scan takes as images (the image sets' own rule), here at the bottom of the
 * packages so that {@link OutputFile} refuses to write such a name into an image folder.
 */
public final class ImageNames {

    /** File name endings taken as images in a folder (compared ignoring case). */
    public static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".pnm");

    private ImageNames() {
    }

    /** Whether a folder's scan takes a file named {@code name} as an image. */
    public static boolean isImage(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(lower::endsWith);
    }
}
