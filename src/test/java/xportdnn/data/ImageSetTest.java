package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData.Model;
import xportdnn.SharedData;
import xportdnn.model.ModelException;

class ImageSetTest {

    private static final Path QUAD = Path.of("testdata/images/quad.ppm");

    @TempDir
    Path tmp;

    /**
     * Each file once, by its first name in sorted order: a link to a folder of the same tree listed its images twice,
     * and a link loop stopped the scan (before that, "cannot list the folder: input/output error"). A link to a
     * folder outside the tree is followed.
     */
    @Test
    void symbolicLinksListEachFileOnce() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images/cats"));
        Files.copy(QUAD, dir.resolve("a.ppm"));
        Files.createSymbolicLink(dir.resolveSibling("kittens"), Path.of("cats")); // inside the tree
        Files.createSymbolicLink(dir.resolve("up"), Path.of("..")); // a loop
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(QUAD, outside.resolve("b.ppm"));
        Files.createSymbolicLink(dir.resolveSibling("dogs"), outside);
        Files.createLink(dir.resolve("c.ppm"), dir.resolve("a.ppm")); // a second name of the same file
        ImageSet set = ImageSet.directory(dir.getParent());
        assertEquals(List.of("cats/a.ppm", "dogs/b.ppm"), set.entries().stream().map(ImageSet.Entry::name).toList());
        Path classNames = Files.writeString(tmp.resolve("classes.txt"), "cats\ndogs\n");
        ImageSet classes = ImageSet.open(dir.getParent(), classNames);
        assertEquals(List.of(0, 1), classes.entries().stream().map(e -> e.label().getAsInt()).toList());
    }

    /** val.txt: 500 labelled entries, in the order and with the labels of the reference predictions. */
    @Test
    void imagenetValList() throws IOException {
        ImageSet set = ImageSet.open(SharedData.require("data/imagenet-val-500/val.txt"), null);
        assertEquals(500, set.size());
        assertTrue(set.labelled());
        assertEquals("images/ILSVRC2012_val_00000347.JPEG", set.get(0).name());
        assertEquals(OptionalInt.of(472), set.get(0).label());
        assertMatchesPredictions(set, Model.SQUEEZENET.reference("predictions.tsv"));
        FloatImage first = set.get(0).load(true);
        assertEquals(227, first.height());
        assertEquals(3, first.channels());
    }

    /** Class folders: 10,000 images, labels from the sorted folder names or from classes.txt, as in labels.txt. */
    @Test
    void cifarClassFolders() throws IOException {
        Path images = SharedData.require("data/cifar10-test/images");
        Path classes = SharedData.require("data/cifar10-test/classes.txt");
        List<String> labelsTxt = Files.readAllLines(SharedData.require("data/cifar10-test/labels.txt"));
        for (ImageSet set : List.of(ImageSet.classFolders(images, null), ImageSet.open(images, classes))) {
            assertEquals(10_000, set.size());
            for (int i = 0; i < set.size(); i++) {
                String[] expected = labelsTxt.get(i).split(" ");
                assertEquals(expected[0], "images/" + set.get(i).name());
                assertEquals(OptionalInt.of(Integer.parseInt(expected[1])), set.get(i).label(), expected[0]);
            }
        }
        ImageSet plain = ImageSet.open(images, null);
        assertEquals(10_000, plain.size());
        assertFalse(plain.labelled());
        assertEquals("airplane/0000.jpg", plain.get(0).name());
    }

    /** IDX records named %05d, labels from the IDX label file, as in LeNet's predictions. */
    @Test
    void mnistIdx() throws IOException {
        ImageSet set = ImageSet.open(SharedData.require("data/mnist/t10k-images-idx3-ubyte.gz"),
                SharedData.require("data/mnist/t10k-labels-idx1-ubyte.gz"));
        assertEquals(10_000, set.size());
        assertEquals("00000", set.get(0).name());
        assertEquals("09999", set.get(9999).name());
        assertMatchesPredictions(set, Model.LENET.reference("predictions.tsv"));
        assertEquals(28, set.get(0).load(false).width());
    }

    @Test
    void idxLabelCountMustMatch() throws IOException {
        Path images = SharedData.require("data/mnist/t10k-images-idx3-ubyte.gz");
        Path labels = Files.write(tmp.resolve("labels"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 5});
        ModelException e = assertThrows(ModelException.class, () -> ImageSet.idx(images, labels));
        assertTrue(e.getMessage().contains("1 labels for the 10000 images"), e.getMessage());
    }

    /** A folder: recursive, extensions in any case, other files skipped, sorted by relative path. */
    @Test
    void directoryIsSearchedRecursivelyAndSorted() throws IOException {
        for (String name : List.of("b/z.PNG", "b/a.jpg", "a.JPEG", "c/d/e.ppm", "b.bmp", "notes.txt", "c/x.gif",
                "c/d/f.Pgm", "c/d/g.pnm")) {
            Path file = tmp.resolve("set").resolve(name);
            Files.createDirectories(file.getParent());
            Files.copy(QUAD, file);
        }
        ImageSet set = ImageSet.directory(tmp.resolve("set"));
        assertEquals(List.of("a.JPEG", "b.bmp", "b/a.jpg", "b/z.PNG", "c/d/e.ppm", "c/d/f.Pgm", "c/d/g.pnm"),
                set.entries().stream().map(ImageSet.Entry::name).toList());
        assertFalse(set.labelled());
        assertEquals(220 / 255f, set.get(4).load(true).get(0, 0, 0)); // c/d/e.ppm really is loaded
    }

    /**
     * Hidden files and folders are not images: the {@code ._x.jpg} AppleDouble files and {@code .DS_Store} macOS
     * leaves beside copied pictures used to be taken (and then fail to decode), as Python's glob in Caffe's
     * classify.py does not.
     */
    @Test
    void hiddenFilesAndFoldersAreSkipped() throws IOException {
        Path set = tmp.resolve("set");
        for (String name : List.of("a.ppm", "._a.ppm", ".DS_Store", ".thumbnails/b.png", "c/.d.jpg", "c/e.ppm")) {
            Files.createDirectories(set.resolve(name).getParent());
            Files.copy(QUAD, set.resolve(name));
        }
        Files.write(set.resolve("._a.ppm"), new byte[] {0, 5, 22, 7, 0, 2, 0, 0}); // AppleDouble magic
        assertEquals(List.of("a.ppm", "c/e.ppm"), ImageSet.directory(set).entries().stream()
                .map(ImageSet.Entry::name).toList());
    }

    /** Pictures of formats the scan does not take are said in one note; a folder without them has none. */
    @Test
    void picturesOfOtherFormatsAreNoted() throws IOException {
        Path set = Files.createDirectories(tmp.resolve("set/cat"));
        for (String name : List.of("a.ppm", "b.TIF", "c.gif", ".d.webp", "notes.txt")) {
            Files.copy(QUAD, set.resolve(name));
        }
        String note = set.getParent() + ": left out 2 pictures of a format a folder's scan does not take, e.g. "
                + "cat/b.TIF (it takes .jpg .jpeg .png .bmp .pgm .ppm .pnm; a list may name GIF and TIFF files)";
        assertEquals(Optional.of(note), ImageSet.directory(set.getParent()).note());
        assertEquals(Optional.of(note), ImageSet.open(set.getParent(), Files.writeString(tmp.resolve("classes.txt"),
                "cat\n")).note());
        Files.delete(set.resolve("b.TIF"));
        Files.delete(set.resolve("c.gif"));
        assertEquals(Optional.empty(), ImageSet.directory(set.getParent()).note());
    }

    /** A folder of other formats says what it holds: else "no image files" in a folder full of pictures puzzles. */
    @Test
    void aFolderOfOtherFilesNamesOne() throws IOException {
        Path set = Files.createDirectories(tmp.resolve("set/sub"));
        Files.copy(QUAD, set.resolve("b.webp"));
        Files.copy(QUAD, set.resolve("a.gif"));
        Files.copy(QUAD, set.resolve(".c.png"));
        assertMessage(() -> ImageSet.open(tmp.resolve("set"), null), tmp.resolve("set") + ": no image files (.jpg "
                + ".jpeg .png .bmp .pgm .ppm .pnm) in the folder; it holds 2 other files, e.g. sub/a.gif");
    }

    @Test
    void classFoldersFromSortedNamesOrAClassNamesFile() throws IOException {
        Path root = tmp.resolve("classes");
        for (String name : List.of("n02/x.ppm", "n01/y.ppm", "n01/sub/z.ppm")) {
            Files.createDirectories(root.resolve(name).getParent());
            Files.copy(QUAD, root.resolve(name));
        }
        ImageSet sorted = ImageSet.classFolders(root, null);
        assertEquals(List.of("n01/sub/z.ppm", "n01/y.ppm", "n02/x.ppm"),
                sorted.entries().stream().map(ImageSet.Entry::name).toList());
        assertEquals(List.of(0, 0, 1), sorted.entries().stream().map(e -> e.label().getAsInt()).toList());

        Path synsets = Files.writeString(tmp.resolve("synset_words.txt"),
                "n00 something\nn02 goldfish, Carassius auratus\nn01 tench, Tinca tinca\n");
        ImageSet named = ImageSet.classFolders(root, synsets);
        assertEquals(List.of(2, 2, 1), named.entries().stream().map(e -> e.label().getAsInt()).toList());

        Path partial = Files.writeString(tmp.resolve("partial.txt"), "n01\n");
        ModelException e = assertThrows(ModelException.class, () -> ImageSet.classFolders(root, partial));
        assertTrue(e.getMessage().startsWith(partial.toString()) && e.getMessage().contains("n02"), e.getMessage());

        Files.copy(QUAD, root.resolve("loose.ppm"));
        e = assertThrows(ModelException.class, () -> ImageSet.classFolders(root, null));
        assertTrue(e.getMessage().contains("loose.ppm") && e.getMessage().contains("class folder"), e.getMessage());
    }

    @Test
    void emptyOrMissingInputIsNamed() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        assertMessage(() -> ImageSet.open(empty, null), empty + ": no image files");
        Path missing = tmp.resolve("nothing-here");
        assertMessage(() -> ImageSet.open(missing, null), missing + ": no such file");
    }

    @Test
    void listWithSpacesInPathsAndWithoutLabels() throws IOException {
        Files.createDirectories(tmp.resolve("my images"));
        Files.copy(QUAD, tmp.resolve("my images/a b.ppm"));
        Files.copy(QUAD, tmp.resolve("c.ppm"));
        Path labelled = Files.writeString(tmp.resolve("val.txt"), "\uFEFFmy images/a b.ppm 5\r\n\r\nc.ppm   12\n");
        ImageSet set = ImageSet.open(labelled, null);
        assertEquals(List.of("my images/a b.ppm", "c.ppm"), set.entries().stream().map(ImageSet.Entry::name).toList());
        assertEquals(List.of(5, 12), set.entries().stream().map(e -> e.label().getAsInt()).toList());

        Path unlabelled = Files.writeString(tmp.resolve("list.txt"), "my images/a b.ppm\nc.ppm\n");
        ImageSet plain = ImageSet.list(unlabelled);
        assertEquals(2, plain.size());
        assertFalse(plain.labelled());
    }

    @Test
    void listErrorsNameFileLineAndColumn() throws IOException {
        Files.copy(QUAD, tmp.resolve("a.ppm"));
        Path missing = Files.writeString(tmp.resolve("missing.txt"), "a.ppm 1\nb.ppm 2\n");
        assertMessage(() -> ImageSet.list(missing), missing + ":2:1: b.ppm: no such file");
        Files.createDirectories(tmp.resolve("sub"));
        Path folder = Files.writeString(tmp.resolve("folder.txt"), "a.ppm 1\nsub 2\n");
        assertMessage(() -> ImageSet.list(folder), folder + ":2:1: sub: a folder, not an image file");
        Path negative = Files.writeString(tmp.resolve("negative.txt"), "a.ppm -3\n");
        assertMessage(() -> ImageSet.list(negative), negative + ":1:7: label -3 is not a class id");
        Path mixed = Files.writeString(tmp.resolve("mixed.txt"), "a.ppm 1\na.ppm\n");
        assertMessage(() -> ImageSet.list(mixed), mixed + ":2:1: no label here, but earlier lines have labels");
        // Caffe's ImageData layer reads a label with atoi: "3.7" as 3, "cat" as 0; here they are named
        Path word = Files.writeString(tmp.resolve("word.txt"), "a.ppm 1\na.ppm cat\n");
        assertMessage(() -> ImageSet.list(word), word + ":2:7: no class id at the end of the line (it ends in "
                + "'cat'), but earlier lines have labels; a label is a whole number 0, 1, 2, ...");
        Path decimal = Files.writeString(tmp.resolve("decimal.txt"), "a.ppm 3.0\n");
        assertMessage(() -> ImageSet.list(decimal), decimal + ":1:1: a.ppm 3.0: no such file (looked for "
                + tmp.resolve("a.ppm 3.0") + "); a.ppm is there, and '3.0' is not a label: a label is a whole number");
        Files.createDirectories(tmp.resolve("sub"));
        Files.copy(QUAD, tmp.resolve("sub/caf\u00e9.ppm")); // NFC, as Linux tools write it
        Path windows = Files.writeString(tmp.resolve("windows.txt"), "sub\\caf\u00e9.ppm 1\n");
        assertMessage(() -> ImageSet.list(windows), windows + ":1:1: sub\\caf\u00e9.ppm: no such file (looked for "
                + tmp.resolve("sub\\caf\u00e9.ppm") + "); it is there with '/' for the Windows separators '\\'");
        Path decomposed = Files.writeString(tmp.resolve("nfd.txt"), "sub/cafe\u0301.ppm 1\n");
        assertMessage(() -> ImageSet.list(decomposed), decomposed + ":1:1: sub/cafe\u0301.ppm: no such file (looked "
                + "for " + tmp.resolve("sub/cafe\u0301.ppm") + "); a file of that name is there with its accents "
                + "written otherwise (Unicode NFC");
        // the tests run in the project folder, where testdata/ is; the list is elsewhere
        Path cwdRelative = Files.writeString(tmp.resolve("cwd.txt"), QUAD + " 1\n");
        assertMessage(() -> ImageSet.list(cwdRelative), cwdRelative + ":1:1: " + QUAD + ": no such file (looked for "
                + tmp.resolve(QUAD) + "); it is there relative to the current folder, but a list's paths are read "
                + "relative to the list's own folder");
        Path blank = Files.writeString(tmp.resolve("blank.txt"), "\n  \n");
        assertMessage(() -> ImageSet.list(blank), blank + ": the list names no images");
        Path labels = Files.writeString(tmp.resolve("labels.txt"), "1\n");
        assertMessage(() -> ImageSet.open(missing, labels), labels + ": a label file only goes with");
    }

    /** A list saved as Latin-1 (an accented name): the file and line, not Java's "input length = 1". */
    @Test
    void aListThatIsNotUtf8IsNamedByLine() throws IOException {
        Files.copy(QUAD, tmp.resolve("a.ppm"));
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), new byte[] {'a', '.', 'p', 'p', 'm', ' ', '0', '\r', '\n',
            'c', 'a', 'f', (byte) 0xE9, '.', 'p', 'p', 'm', ' ', '1', '\n'});
        assertMessage(() -> ImageSet.list(latin1), latin1 + ":2: not UTF-8 text (byte 0xE9); save the file as UTF-8");
        // an IDX label file given as the set: binary, not "save it as UTF-8"
        Path idxLabels = Files.write(tmp.resolve("labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, (byte) 200});
        assertMessage(() -> ImageSet.open(idxLabels, null), idxLabels + ": binary data, not a text file");
    }

    @Test
    void aLocationNoPathCanBeIsRefusedInWords() throws IOException {
        // a NUL character: java.nio refuses it with an unchecked InvalidPathException, which used to escape
        assertMessage(() -> ImageSet.open(ImageStore.LOCAL, "a\0b.ppm", null), "'a\\0b.ppm': not a file path");
        Path list = Files.writeString(tmp.resolve("nul.txt"), "a\0.ppm 1\n");
        ModelException e = assertThrows(ModelException.class, () -> ImageSet.list(list));
        assertTrue(e.getMessage().contains("not a file path"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** A header line ("path label", "filename,class") is named as one, not only as a missing file. */
    @Test
    void aHeaderLineIsNamed() throws IOException {
        Files.copy(QUAD, tmp.resolve("a.ppm"));
        for (String header : List.of("path label", "filename,class")) {
            Path list = Files.writeString(tmp.resolve("val.txt"), header + "\r\na.ppm 1\r\na.ppm 0\r\n");
            ModelException e = assertThrows(ModelException.class, () -> ImageSet.list(list));
            assertTrue(e.getMessage().startsWith(list + ":1:1: " + header + ": no such file"), e.getMessage());
            assertTrue(e.getMessage().endsWith("; it looks like a header line (the next line ends in a class id), but "
                    + "a list has none (Caffe's ImageData layer reads every line as an image and its label): delete it"),
                    e.getMessage());
        }
        // a list holding its header alone names no images, in either mode; a lone missing picture is only missing
        for (String header : List.of("path label", "filename,class")) {
            Path alone = Files.writeString(tmp.resolve("alone.txt"), header + "\n\n");
            assertMessage(() -> ImageSet.list(alone), alone + ": the list names no images: its only line, '" + header
                    + "', names no file (looked for " + tmp.resolve(header) + ") and looks like a header line");
        }
        Path lonePicture = Files.writeString(tmp.resolve("lone.txt"), "gone.jpg\n");
        assertMessage(() -> ImageSet.list(lonePicture), lonePicture + ":1:1: gone.jpg: no such file");
        // an unlabelled list's first missing file is only missing
        Path unlabelled = Files.writeString(tmp.resolve("plain.txt"), "gone.ppm\na.ppm\n");
        ModelException e = assertThrows(ModelException.class, () -> ImageSet.list(unlabelled));
        assertFalse(e.getMessage().contains("header"), e.getMessage());
    }

    /**
     * A line starting with '#' is no comment (Caffe's ImageData layer has none): named as such, not as a missing
     * file or a label mismatch; a file of that name is read. With keepMissing (--skip_bad_images) it is an entry
     * whose loading fails with that message.
     */
    @Test
    void aCommentLineIsNamed() throws IOException {
        Files.copy(QUAD, tmp.resolve("a.ppm"));
        Path list = Files.writeString(tmp.resolve("val.txt"), "a.ppm 1\n# cats from camera 2\na.ppm 0\n");
        String said = list + ":2:1: the line starts with '#', but a list has no comment lines (Caffe's ImageData layer "
                + "reads every line as an image and its label): delete the line";
        assertEquals(said, assertThrows(ModelException.class, () -> ImageSet.list(list)).getMessage());
        Path first = Files.writeString(tmp.resolve("first.txt"), "# images 3\na.ppm\n");
        assertMessage(() -> ImageSet.list(first), first + ":1:1: the line starts with '#'");
        ImageSet kept = ImageSet.open(ImageStore.LOCAL, list.toString(), null, true);
        assertEquals(3, kept.size());
        assertEquals(said, BadImages.error(kept.get(1), true));
        Files.copy(QUAD, tmp.resolve("#b.ppm"));
        Path named = Files.writeString(tmp.resolve("named.txt"), "a.ppm 1\n#b.ppm 2\n");
        assertEquals(OptionalInt.of(2), ImageSet.list(named).get(1).label());
    }

    /** Repeated lines are kept (scored as often as listed, as in Caffe) and said in one note. */
    @Test
    void repeatedLinesAreKeptAndNoted() throws IOException {
        Files.createDirectories(tmp.resolve("sub"));
        Files.copy(QUAD, tmp.resolve("sub/a.ppm"));
        Files.copy(QUAD, tmp.resolve("b.ppm"));
        Path list = Files.writeString(tmp.resolve("val.txt"), "sub/a.ppm 1\nb.ppm 2\n\nb.ppm 2\nsub/a.ppm 1\n");
        ImageSet set = ImageSet.list(list);
        assertEquals(4, set.size());
        assertEquals(Optional.of(list + ": 2 lines name an image that an earlier line names (line 4 repeats line 2, "
                + "b.ppm); each line is read and scored, so those images count more than once, as in Caffe's ImageData "
                + "layer"), set.note());
        Path once = Files.writeString(tmp.resolve("once.txt"), "sub/a.ppm 1\nb.ppm 2\nsub/../b.ppm 2\n");
        assertEquals(Optional.of(once + ": 1 line names an image that an earlier line names (line 3 repeats line 2, "
                + "sub/../b.ppm); each line is read and scored, so that image counts more than once, as in Caffe's "
                + "ImageData layer"), ImageSet.list(once).note());
        assertEquals(Optional.empty(), ImageSet.list(Files.writeString(tmp.resolve("plain.txt"), "b.ppm 0\n"))
                .note());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String start) {
        ModelException e = assertThrows(ModelException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** Entry names and labels equal the {@code image} and {@code label} columns of a predictions.tsv. */
    private static void assertMatchesPredictions(ImageSet set, Path predictions) throws IOException {
        List<String> rows = Files.readAllLines(predictions);
        assertEquals("image\tlabel", String.join("\t", List.of(rows.get(0).split("\t")).subList(0, 2)));
        assertEquals(set.size(), rows.size() - 1);
        for (int i = 0; i < set.size(); i++) {
            String[] f = rows.get(i + 1).split("\t");
            assertEquals(f[0], set.get(i).name());
            assertEquals(OptionalInt.of(Integer.parseInt(f[1])), set.get(i).label(), f[0]);
        }
    }

    /**
     * The files a set reads, for outputs to keep off: a list and each file it names that is there (relative to
     * the list's folder); a folder alone (its images are known by their names).
     */
    @Test
    void filesOfAListAreTheListAndItsImages() throws IOException {
        Path images = Files.createDirectories(tmp.resolve("sets/images"));
        Path a = Files.writeString(images.resolve("a.png"), "a");
        Path b = Files.writeString(tmp.resolve("b.jpg"), "b");
        Path list = Files.write(tmp.resolve("sets/list.txt"), List.of("images/a.png 0", "../b.jpg 1", "gone.png 2"));
        assertEquals(List.of(list, a, b), ImageSet.files(list).stream().map(p -> p.toAbsolutePath().normalize())
                .toList());
        assertEquals(List.of(images), ImageSet.files(images));
        // the same of the set a run opened, without parsing the list again
        assertEquals(List.of(list, a, b), ImageSet.open(ImageStore.LOCAL, list.toString(), null, true)
                .inputFiles(list).stream().map(p -> p.toAbsolutePath().normalize()).toList());
        assertEquals(List.of(images), ImageSet.directory(images).inputFiles(images));
    }

    private static ImageSet.Entry labelled(int label) {
        return new ImageSet.Entry("img" + label, OptionalInt.of(label), color -> {
            throw new AssertionError("not decoded");
        });
    }

    /** Labels 1..3 for a 3-class output: one past the end, and no 0, is Caffe's 0-based numbering forgotten. */
    @Test
    void labelsCountedFromOneAreNamedInTheError() {
        List<ImageSet.Entry> oneBased = List.of(labelled(1), labelled(2), labelled(3));
        ModelException e = assertThrows(ModelException.class,
                () -> ImageSet.requireLabelsBelow(3, oneBased, "val.txt", "output 'prob'"));
        assertEquals("val.txt: image img3 has label 3, but output 'prob' has 3 classes (0-2); no label is 0, so the "
                + "labels look counted from 1: Caffe's count from 0 (label k = output k), subtract 1 from each",
                e.getMessage());
        // a label far out of range, or a set that has a 0, is only out of range
        List<ImageSet.Entry> withZero = List.of(labelled(0), labelled(3));
        e = assertThrows(ModelException.class,
                () -> ImageSet.requireLabelsBelow(3, withZero, "val.txt", "output 'prob'"));
        assertFalse(e.getMessage().contains("counted from 1"), e.getMessage());
        e = assertThrows(ModelException.class,
                () -> ImageSet.requireLabelsBelow(3, List.of(labelled(1), labelled(7)), "val.txt", "output 'prob'"));
        assertFalse(e.getMessage().contains("counted from 1"), e.getMessage());
    }
}
