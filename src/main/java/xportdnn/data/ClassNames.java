package xportdnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;

/**
 * Human-readable class names: one per line, line k = class k. A Caffe {@code synset_words.txt} line
 * ({@code n01440764 tench, Tinca tinca}) is shown by its text, without the WordNet id.
 */
public final class ClassNames {

    private static final Pattern SYNSET = Pattern.compile("n\\d{8}\\s+(\\S.*)");

    private final Path file;
    private final List<String> names;

    private ClassNames(Path file, List<String> names) {
        this.file = file;
        this.names = List.copyOf(names);
    }

    /** Reads the file; trailing blank lines are ignored, inner ones keep their class number with an empty name. */
    public static ClassNames read(Path file) {
        List<String> lines;
        try {
            lines = new ArrayList<>(TextLines.utf8(file.toString(), Files.readAllBytes(file)));
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            Matcher synset = SYNSET.matcher(line.strip());
            names.add(synset.matches() ? synset.group(1) : line.strip());
        }
        return new ClassNames(file, names);
    }

    public int size() {
        return names.size();
    }

    /** The name of class {@code k}. */
    public String name(int k) {
        return names.get(k);
    }

    /** Fails unless there is exactly one name per class of {@code what}. */
    public void requireCount(int classes, String what) {
        if (names.size() != classes) {
            throw new ModelException(file + ": " + names.size() + " class names for the " + classes + " classes of "
                    + what);
        }
    }
}
