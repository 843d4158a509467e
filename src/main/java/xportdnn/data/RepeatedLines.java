package xportdnn.data;

import java.util.HashMap;
import java.util.Map;

/**
 * A list's lines that name an image an earlier line names. Each is kept and scored (Caffe's ImageData layer reads
 * every line, so a validation on a list scores such an image as often as it is listed), but a repeat is more often
 * a list concatenated twice than meant, so it is said in one note: how many, and the first repeat's line numbers.
 */
final class RepeatedLines {

    private final String listFile;
    private final Map<String, Integer> firstLine = new HashMap<>();
    private int repeats;
    private String first;

    RepeatedLines(String listFile) {
        this.listFile = listFile;
    }

    /** Line {@code line} (1-based) names {@code file}, written {@code path}. */
    void add(String file, int line, String path) {
        Integer earlier = firstLine.putIfAbsent(ImageStore.canonical(file), line); // a/../b.jpg is b.jpg
        if (earlier != null) {
            repeats++;
            if (first == null) {
                first = "line " + line + " repeats line " + earlier + ", " + path;
            }
        }
    }

    /** The note, or null when no line repeats another. */
    String note() {
        if (repeats == 0) {
            return null;
        }
        return listFile + ": " + repeats + (repeats == 1 ? " line names an image" : " lines name an image")
                + " that an earlier line names (" + first + "); each line is read and scored, so "
                + (repeats == 1 ? "that image counts" : "those images count") + " more than once, as in Caffe's "
                + "ImageData layer";
    }
}
