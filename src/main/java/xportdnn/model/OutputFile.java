package xportdnn.model;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes an output file so that readers see either the old file or the complete new one: the bytes go to a
 * hidden temporary file in the target's folder, which is then renamed over the target (atomically when the file
 * system allows). The temporary file is removed on failure, and the user's inputs are never overwritten.
 */
public final class OutputFile {

    /** Produces the file's bytes. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private OutputFile() {
    }

    /** Writes {@code target} with what {@code body} produces; a failure leaves any earlier file untouched. */
    public static void write(Path target, Body body) {
        write(target, List.of(), body);
    }

    /** Writes {@code text} as UTF-8 to {@code target}, which must not be any of {@code inputs}. */
    public static void writeString(Path target, String text, Collection<Path> inputs) {
        write(target, inputs, out -> out.write(utf8(text)));
    }

    /** Writes {@code bytes} to {@code target}, which must not be any of {@code inputs} (e.g. a caffemodel). */
    public static void write(Path target, byte[] bytes, Collection<Path> inputs) {
        write(target, inputs, out -> out.write(bytes));
    }

    /**
     * Writes {@code target} with what {@code body} produces.
     *
     * @param inputs files the run read; {@code target} must not be any of them (same path, link or hard link)
     * @throws ModelException if {@code target} is one of the inputs, its folder is missing, or writing fails
     */
    public static void write(Path target, Collection<Path> inputs, Body body) {
        Path absolute = check(target, inputs);
        moveIntoPlace(prepare(absolute, target, body), absolute, target);
    }

    /** Writes what {@code body} produces to a new temporary file next to {@code absolute} and returns it. */
    static Path prepare(Path absolute, Path target, Body body) {
        Path temp = null;
        try {
            temp = createTemp(absolute.getParent(), absolute.getFileName().toString());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                body.writeTo(out);
            }
            return temp;
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new ModelException("cannot write " + target + ": " + describe(e), e);
        }
    }

    /** Renames a file {@link #prepare} made over its target (atomically where the file system can). */
    static void moveIntoPlace(Path temp, Path absolute, Path target) {
        try {
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new ModelException("cannot write " + target + ": " + describe(e), e);
        }
    }

    /**
     * Fails as {@link #write} would before writing anything: when {@code target} is one of {@code inputs}, a file
     * an input folder's scan would take as an image ({@link ImageNames}: one of its images, or a new one the next
     * scan would read), a folder, or in a folder that does not exist. Any other file, in an input folder or not,
     * may be replaced (a re-run rewrites its own report). Lets a long run check its outputs before it starts.
     *
     * @param inputs every file the run reads, and the image folders it scans
     * @return the target's absolute path
     */
    public static Path check(Path target, Collection<Path> inputs) {
        Path absolute = target.toAbsolutePath().normalize();
        for (Path input : inputs) {
            if (sameFile(absolute, input)) {
                throw new ModelException("refusing to overwrite the input " + input);
            }
        }
        if (Files.isDirectory(absolute)) {
            throw new ModelException("cannot write " + target + ": it is a folder");
        }
        Path folder = absolute.getParent();
        if (!Files.isDirectory(folder)) {
            throw new ModelException("cannot write " + target + ": the folder " + folder + " does not exist");
        }
        boolean imageName = ImageNames.isImage(absolute.getFileName().toString());
        for (Path input : inputs) {
            if (imageName && inFolder(folder, input)) {
                throw new ModelException("refusing to write " + target + ": the run reads the image folder " + input
                        + ", whose scan takes this name as an image; write it elsewhere or name it otherwise");
            }
        }
        return absolute;
    }

    /** UTF-8 bytes of {@code text}; a lone surrogate is an error rather than a silent '?'. */
    public static byte[] utf8(String text) throws CharacterCodingException {
        ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    private static boolean sameFile(Path absoluteTarget, Path input) {
        Path in = input.toAbsolutePath().normalize();
        if (in.equals(absoluteTarget)) {
            return true;
        }
        try {
            return Files.exists(absoluteTarget) && Files.exists(in) && Files.isSameFile(absoluteTarget, in);
        } catch (IOException e) {
            throw new ModelException(
                    "cannot compare " + absoluteTarget + " with the input " + input + ": " + describe(e), e);
        }
    }

    /** Whether the existing folder {@code targetFolder} is {@code input}, a folder, or a folder below it. */
    private static boolean inFolder(Path targetFolder, Path input) {
        if (!Files.isDirectory(input)) {
            return false;
        }
        try {
            return targetFolder.toRealPath().startsWith(input.toRealPath());
        } catch (IOException e) {
            throw new ModelException(
                    "cannot compare " + targetFolder + " with the input folder " + input + ": " + describe(e), e);
        }
    }

    /**
     * A new empty file next to the target. Not {@code Files.createTempFile}: that makes it owner-only (0600), and
     * the output should get the usual permissions of a new file.
     */
    private static Path createTemp(Path folder, String name) throws IOException {
        while (true) {
            Path candidate = folder.resolve("." + name + "." + Long.toUnsignedString(
                    ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                // try another name
            }
        }
    }

    private static String describe(IOException e) {
        return IoErrors.describe(e);
    }

    static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // the original error is the one worth reporting
        }
    }
}
