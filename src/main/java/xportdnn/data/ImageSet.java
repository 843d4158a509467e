package xportdnn.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import xportdnn.model.ImageNames;
import xportdnn.model.ModelException;

/**
 * The images a user points us to, in a fixed order, each with a name, an optional label and a way to load its
 * pixels. Sources: a folder (searched recursively), a Caffe {@code val.txt}-style list, or an IDX image file.
 * Nothing is decoded until {@link Entry#load} is called.
 */
public final class ImageSet {

    /** Loads an entry's pixels as {@code caffe.io.load_image(color)} would. */
    @FunctionalInterface
    public interface Pixels {
        FloatImage load(boolean color);
    }

    /** The pixels of an image file (a folder's or a list's entry): what a Spark task reads again by its path. */
    public record ImageFile(Path file) implements Pixels {

        @Override
        public FloatImage load(boolean color) {
            return ImageDecoder.load(file, color);
        }
    }

    /**
     * A list's line naming a file that is not there, kept (see {@link #open(ImageStore, String, Path, boolean)}):
     * its loading fails with {@code reason}, which names the line. Known without reading anything, so whoever
     * screens a set (xportdnn.spark's tasks) learns it where the set is listed.
     */
    public record Missing(String reason) implements Pixels {

        @Override
        public FloatImage load(boolean color) {
            throw new ModelException(reason);
        }
    }

    /**
     * One image.
     *
     * @param name  its path relative to the folder, its path as written in the list, or {@code %05d} for IDX
     * @param label its class id, if the source gives one
     */
    public record Entry(String name, OptionalInt label, Pixels pixels) {

        public FloatImage load(boolean color) {
            return pixels.load(color);
        }
    }

    private final List<Entry> entries;
    private final String note;

    private ImageSet(List<Entry> entries) {
        this(entries, null);
    }

    private ImageSet(List<Entry> entries, String note) {
        this.entries = List.copyOf(entries);
        this.note = note;
    }

    /**
     * Opens what the user named: a folder (unlabelled, or labelled by class folders when {@code labels} is a
     * class-names file), an IDX image file ({@code labels}: its IDX label file, optional), or a list file
     * ({@code labels} must be null: the list carries them).
     */
    public static ImageSet open(Path input, Path labels) {
        return open(ImageStore.LOCAL, input.toString(), labels);
    }

    /** {@link #open(Path, Path)} of a location in {@code store}; {@code labels} is a file on this machine. */
    public static ImageSet open(ImageStore store, String input, Path labels) {
        return open(store, input, labels, false);
    }

    /**
     * {@link #open(ImageStore, String, Path)}; with {@code keepMissing} a list's line naming a missing file is kept
     * as an entry whose loading fails naming the line (for {@link BadImages} to take out), so that the set, its
     * order and its draws stay those of the list as written.
     */
    public static ImageSet open(ImageStore store, String input, Path labels, boolean keepMissing) {
        if (store.isFolder(input)) {
            return labels == null ? directory(store, input) : classFolders(store, input, labels);
        }
        if (!store.isFile(input)) {
            throw new ModelException(input + ": no such file or folder");
        }
        ImageSet records = store.records(input, labels);
        if (records != null) {
            return records;
        }
        if (labels != null) {
            throw new ModelException(labels + ": a label file only goes with an IDX image file or a folder of class "
                    + "folders; " + input + " is a list that carries its own labels");
        }
        return list(store, input, keepMissing);
    }

    /**
     * The files of this machine that the set {@code location} names are read from, for outputs to keep off
     * (xportdnn.model.OutputPlan): the location itself (a folder, whose images OutputFile recognises by their
     * names, or an IDX file), and for a list every file it names. A list that does not parse fails here as it
     * would when the run opens it; a location that is not there is left for the run to refuse.
     */
    public static List<Path> files(Path location) {
        return isList(location) ? list(ImageStore.LOCAL, location.toString(), true).inputFiles(location)
                : List.of(location);
    }

    /** {@link #files(Path)}, from {@code opened} (the set opened from it on this machine) when not null. */
    public static List<Path> files(Path location, ImageSet opened) {
        return opened != null ? opened.inputFiles(location) : files(location);
    }

    /**
     * {@link #files(Path)} of this set, opened from {@code location} on this machine: for a run that opens the set
     * anyway, without parsing its list a second time.
     */
    public List<Path> inputFiles(Path location) {
        List<Path> files = new ArrayList<>(List.of(location));
        if (isList(location)) {
            for (Entry e : entries) {
                if (e.pixels() instanceof ImageFile image) {
                    files.add(image.file());
                }
            }
        }
        return files;
    }

    private static boolean isList(Path location) {
        return Files.isRegularFile(location) && !Idx.isImageFile(location);
    }

    /** Every image file under {@code dir} (recursively), sorted by relative path, without labels. */
    public static ImageSet directory(Path dir) {
        return directory(ImageStore.LOCAL, dir.toString());
    }

    private static ImageSet directory(ImageStore store, String dir) {
        List<Entry> entries = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        imageFiles(store, dir, leftOut).forEach((name, file) -> entries.add(new Entry(name, OptionalInt.empty(),
                store.pixels(file))));
        return new ImageSet(entries, leftOutNote(dir, leftOut));
    }

    /**
     * Images in class folders ({@code dir/<class>/...}): the label is the class folder's position among the
     * sorted folder names, or, with {@code classNames} (one class per line, line k = label k), the line whose
     * text or first word (as in Caffe's {@code synset_words.txt}) is the folder name.
     */
    public static ImageSet classFolders(Path dir, Path classNames) {
        return classFolders(ImageStore.LOCAL, dir.toString(), classNames);
    }

    private static ImageSet classFolders(ImageStore store, String dir, Path classNames) {
        List<String> leftOut = new ArrayList<>();
        SortedMap<String, String> files = imageFiles(store, dir, leftOut);
        Map<String, Integer> labelOf = new LinkedHashMap<>();
        if (classNames != null) {
            List<String> lines = ImageStore.LOCAL.lines(classNames.toString());
            for (int k = 0; k < lines.size(); k++) {
                String line = lines.get(k).trim();
                if (!line.isEmpty()) {
                    labelOf.putIfAbsent(line, k);
                    labelOf.putIfAbsent(line.split("\\s+", 2)[0], k);
                }
            }
        } else {
            Set<String> folders = new TreeSet<>();
            files.forEach((name, file) -> folders.add(classFolder(dir, name, file, null)));
            for (String folder : folders) {
                labelOf.put(folder, labelOf.size());
            }
        }
        List<Entry> entries = new ArrayList<>();
        files.forEach((name, file) -> {
            String folder = classFolder(dir, name, file, classNames);
            Integer label = labelOf.get(folder);
            if (label == null) {
                throw new ModelException(classNames + ": no class named " + folder + " (the folder of " + name + ")");
            }
            entries.add(new Entry(name, OptionalInt.of(label), store.pixels(file)));
        });
        return new ImageSet(entries, leftOutNote(dir, leftOut));
    }

    /**
     * A Caffe {@code val.txt}-style list: one {@code relative/path label} per line (the label after the last
     * space, so paths may contain spaces), paths relative to the list's folder. A list without labels (one path
     * per line) is accepted too; mixing the two is not. Blank lines are skipped.
     */
    public static ImageSet list(Path listFile) {
        return list(ImageStore.LOCAL, listFile.toString(), false);
    }

    private static ImageSet list(ImageStore store, String listFile, boolean keepMissing) {
        List<String> lines;
        try {
            lines = store.lines(listFile);
        } catch (ModelException e) {
            if (ImageNames.isImage(listFile) || ImageNames.isOtherPicture(listFile)) { // not text: one picture
                throw new ModelException(listFile + ": an image, not a folder or a list of images: give the folder "
                        + "holding the images, or a list naming them (one 'path label' per line)", e);
            }
            throw e;
        }
        List<Entry> entries = new ArrayList<>();
        RepeatedLines repeated = new RepeatedLines(listFile);
        Boolean labelled = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).stripTrailing();
            if (line.isBlank()) {
                continue;
            }
            String where = listFile + ":" + (i + 1) + ":";
            int space = lastSpace(line);
            String tail = space < 0 ? "" : line.substring(space + 1);
            OptionalInt label = OptionalInt.empty();
            String path = line.strip();
            if (tail.matches("[-+]?\\d+")) {
                if (!tail.matches("\\d{1,9}")) {
                    throw new ModelException(where + (space + 2) + ": label " + tail + " is not a class id 0, 1, 2, ...");
                }
                label = OptionalInt.of(Integer.parseInt(tail));
                path = line.substring(0, space).strip();
            }
            String file = store.sibling(listFile, path);
            if (path.startsWith("#") && !store.isFile(file)) {
                // before the labels are compared: a comment's last word is rarely a number, and it is no image
                String comment = where + "1: the line starts with '#', but a list has no comment lines (Caffe's "
                        + "ImageData layer reads every line as an image and its label): delete the line";
                if (!keepMissing) {
                    throw new ModelException(comment);
                }
                entries.add(new Entry(path, label, new Missing(comment)));
                continue;
            }
            if (labelled != null && labelled != label.isPresent()) {
                throw new ModelException(labelled && space >= 0
                        ? where + (space + 2) + ": no class id at the end of the line (it ends in '" + tail
                                + "'), but earlier lines have labels; a label is a whole number 0, 1, 2, ..."
                        : where + "1: " + (label.isPresent() ? "a label" : "no label") + " here, but "
                                + (labelled ? "earlier lines have labels" : "earlier lines have none"));
            }
            labelled = label.isPresent();
            if (!store.isFile(file)) {
                if (onlyLine(lines, i) && !label.isPresent() && !store.isFolder(file) && namesNoPicture(path)) {
                    throw new ModelException(listFile + ": the list names no images: its only line, '" + path
                            + "', names no file (looked for " + file + ") and looks like a header line; a list is "
                            + "one 'path label' line per image, with no header (as Caffe's ImageData layer reads it)");
                }
                String missing = where + "1: " + path + ": " + (store.isFolder(file) ? "a folder, not an image file"
                        : "no such file") + " (looked for " + file + ")"
                        + (entries.isEmpty() && !label.isPresent() && nextEndsInNumber(lines, i)
                                ? "; it looks like a header line (the next line ends in a class id), but a list has "
                                + "none (Caffe's ImageData layer reads every line as an image and its label): delete it"
                                : missingHint(store, listFile, path, label.isPresent()));
                if (!keepMissing) {
                    throw new ModelException(missing);
                }
                entries.add(new Entry(path, label, new Missing(missing)));
                continue;
            }
            repeated.add(file, i + 1, path);
            entries.add(new Entry(path, label, store.pixels(file)));
        }
        if (entries.isEmpty()) {
            throw new ModelException(listFile + ": the list names no images");
        }
        return new ImageSet(entries, repeated.note());
    }

    /** Whether no word of a line (split at spaces, tabs, commas and semicolons) is a picture's name. */
    private static boolean namesNoPicture(String line) {
        return Arrays.stream(line.split("[\\s,;]+")).noneMatch(w -> ImageNames.isImage(w) || ImageNames.isOtherPicture(w));
    }

    /** Whether line {@code i} (0-based) is the list's only line that is not blank. */
    private static boolean onlyLine(List<String> lines, int i) {
        for (int j = 0; j < lines.size(); j++) {
            if (j != i && !lines.get(j).isBlank()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the first non-blank line after line {@code i} (0-based) ends in a whole number: a label. */
    private static boolean nextEndsInNumber(List<String> lines, int i) {
        for (int j = i + 1; j < lines.size(); j++) {
            String line = lines.get(j).strip();
            if (!line.isEmpty()) {
                int space = lastSpace(line);
                return space >= 0 && line.substring(space + 1).matches("\\d{1,9}");
            }
        }
        return false;
    }

    /**
     * Why a list's {@code path} may name no file, when the list says more: a path whose last word is a label that
     * is not a whole number ({@code a.jpg 3.0}, {@code a.jpg cat}: the line's first part names a file), or a path
     * written with Windows separators, a name whose accents the file system holds in the other Unicode form (NFC or
     * NFD), or a path that is there relative to the current folder, not to the list's (Caffe's ImageData layer reads
     * a list's paths from its {@code root_folder}, by default the current folder). Only hints: Caffe reads none of
     * these either. Empty otherwise.
     */
    private static String missingHint(ImageStore store, String listFile, String path, boolean labelled) {
        int space = lastSpace(path);
        if (!labelled && space > 0) {
            String head = path.substring(0, space).strip();
            if (store.isFile(store.sibling(listFile, head))) {
                return "; " + head + " is there, and '" + path.substring(space + 1) + "' is not a label: a label "
                        + "is a whole number 0, 1, 2, ...";
            }
        }
        if (path.contains("\\") && store.isFile(store.sibling(listFile, path.replace('\\', '/')))) {
            return "; it is there with '/' for the Windows separators '\\': write the paths with '/'";
        }
        for (Normalizer.Form form : List.of(Normalizer.Form.NFC, Normalizer.Form.NFD)) {
            String other = Normalizer.normalize(path, form);
            if (!other.equals(path) && store.isFile(store.sibling(listFile, other))) {
                return "; a file of that name is there with its accents written otherwise (Unicode " + form
                        + ", as macOS writes names decomposed): write the list's names as the files are named";
            }
        }
        if (store.local() && !Path.of(path).isAbsolute() && Files.isRegularFile(Path.of(path))) {
            return "; it is there relative to the current folder, but a list's paths are read relative to the "
                    + "list's own folder";
        }
        return "";
    }

    /** The records of an IDX image file, named {@code %05d} by 0-based index, labels from an IDX label file. */
    public static ImageSet idx(Path imagesFile, Path labelsFile) {
        Idx.Images images = Idx.readImages(imagesFile);
        int[] labels = labelsFile == null ? null : Idx.readLabels(labelsFile);
        if (labels != null && labels.length != images.count()) {
            throw new ModelException(labelsFile + ": " + labels.length + " labels for the " + images.count()
                    + " images of " + imagesFile);
        }
        List<Entry> entries = new ArrayList<>(images.count());
        for (int i = 0; i < images.count(); i++) {
            int index = i;
            entries.add(new Entry(String.format(Locale.ROOT, "%05d", i),
                    labels == null ? OptionalInt.empty() : OptionalInt.of(labels[i]),
                    color -> images.image(index, color)));
        }
        return new ImageSet(entries);
    }

    /** A set of the given entries (e.g. a subset of another set). */
    public static ImageSet of(List<Entry> entries) {
        return new ImageSet(List.copyOf(entries));
    }

    public List<Entry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    public Entry get(int index) {
        return entries.get(index);
    }

    /**
     * Fails naming the first of {@code entries} (of the set {@code set}) whose label is not a class of
     * {@code output}, which scores {@code classes} classes: such an image would only ever count as wrong.
     */
    public static void requireLabelsBelow(int classes, List<Entry> entries, String set, String output) {
        for (Entry entry : entries) {
            int label = entry.label().orElse(0);
            if (label >= classes) {
                throw new ModelException(set + ": image " + entry.name() + " has label " + label + ", but " + output
                        + " has " + classes + " classes (0-" + (classes - 1) + ")" + (label == classes
                        && countsFromOne(entries) ? "; no label is 0, so the labels look counted from 1: Caffe's "
                        + "count from 0 (label k = output k), subtract 1 from each" : ""));
            }
        }
    }

    /** Whether the labelled entries run from 1 up: none is labelled 0. */
    private static boolean countsFromOne(List<Entry> entries) {
        return entries.stream().allMatch(e -> e.label().orElse(1) > 0);
    }

    /** True when every entry has a label. */
    public boolean labelled() {
        return entries.stream().allMatch(e -> e.label().isPresent());
    }

    /**
     * What opening the set found that the user should know, in one note naming the folder or list, or empty: the
     * pictures of other formats a folder's scan left out ({@link ImageNames#OTHER_PICTURES}), or a list's lines
     * naming an image an earlier line names ({@link RepeatedLines}).
     */
    public Optional<String> note() {
        return Optional.ofNullable(note);
    }

    private static String leftOutNote(String dir, List<String> leftOut) {
        if (leftOut.isEmpty()) {
            return null;
        }
        return dir + ": left out " + leftOut.size() + (leftOut.size() == 1 ? " picture" : " pictures") + " of a "
                + "format a folder's scan does not take, e.g. " + leftOut.stream().sorted().findFirst().get()
                + " (it takes " + String.join(" ", ImageNames.EXTENSIONS) + "; a list may name GIF and TIFF files)";
    }

    /**
     * The image files under {@code dir} by relative path, in that order; at least one. The pictures of other formats
     * the scan leaves out are added to {@code leftOut}.
     */
    private static SortedMap<String, String> imageFiles(ImageStore store, String dir, List<String> leftOut) {
        SortedMap<String, String> files = store.files(dir, name -> {
            if (ImageNames.isOtherPicture(name)) {
                leftOut.add(name);
            }
            return ImageNames.isImage(name);
        });
        if (files.isEmpty()) {
            // listed again only to say what the folder holds instead: other formats (.gif, .tif, .webp) or nothing
            SortedMap<String, String> others = store.files(dir, name -> !ImageNames.hidden(name));
            throw new ModelException(dir + ": no image files (" + String.join(" ", ImageNames.EXTENSIONS)
                    + ") in the folder" + (others.isEmpty() ? "" : "; it holds " + others.size() + " other file"
                    + (others.size() == 1 ? "" : "s") + ", e.g. " + others.firstKey()));
        }
        return files;
    }

    /**
     * The class folder of the file named {@code name} below {@code dir}: the name's first part. An image in
     * {@code dir} itself is refused; with {@code classNames}, saying what that file is for, as a user who gives
     * a flat folder and a file of labels (one per image) means something else.
     */
    private static String classFolder(String dir, String name, String file, Path classNames) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            throw new ModelException(file + ": not inside a class folder of " + dir + (classNames == null
                    ? " (labels come from the folder names)"
                    : ": --labels " + classNames + " names the classes of class folders (" + dir + "/<class>/...), "
                    + "an image's label being its folder's line; for images in one folder, give --images a list "
                    + "of 'path label' lines instead"));
        }
        return name.substring(0, slash);
    }

    private static int lastSpace(String line) {
        for (int i = line.length() - 1; i >= 0; i--) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
