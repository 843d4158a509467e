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

    /**
     * Whether a folder's scan takes a file named {@code name} (a relative path with {@code /} separators) as an
     * image: an image extension, and no part of the path hidden (starting with a dot). Hidden files are what macOS
     * leaves beside copied pictures ({@code ._cat.jpg} AppleDouble files, {@code .DS_Store}) and what tools keep
     * ({@code .thumbnails/}); Caffe's {@code classify.py} lists a folder with Python's {@code glob}, which skips
     * them too.
     */
    public static boolean isImage(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !hidden(name) && EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    /**
     * Endings of pictures in formats a folder's scan does not take: told when left out (a set of TIFF files read
     * as a few JPEGs beside them would otherwise be scored on the JPEGs alone, without a word).
     */
    public static final List<String> OTHER_PICTURES = List.of(".gif", ".tif", ".tiff", ".webp", ".heic", ".heif",
            ".avif", ".jp2", ".jfif", ".jpe");

    /** Whether a folder's scan leaves out {@code name} as a picture of another format (not hidden). */
    public static boolean isOtherPicture(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !hidden(name) && OTHER_PICTURES.stream().anyMatch(lower::endsWith);
    }

    /** Whether a part of the relative path {@code name} starts with a dot: a hidden file, or one in a hidden folder. */
    public static boolean hidden(String name) {
        return name.startsWith(".") || name.contains("/.");
    }
}
