package xportdnn.model;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What went wrong with a file, in words ("no such file", "permission denied", "is a directory", ...) instead of
 * a Java exception's class name: the one place every reader and writer turns an {@link IOException} into the end
 * of its one-line message. NIO exceptions carry only the path as their message; the class says what happened.
 */
public final class IoErrors {

    private IoErrors() {
    }

    /** NIO's exceptions whose class is all they say, in words (checked in this order). */
    private static final Map<Class<? extends IOException>, String> WORDS = words();

    private static Map<Class<? extends IOException>, String> words() {
        Map<Class<? extends IOException>, String> w = new LinkedHashMap<>();
        w.put(NoSuchFileException.class, "no such file");
        w.put(AccessDeniedException.class, "permission denied");
        w.put(FileAlreadyExistsException.class, "the file already exists");
        w.put(NotDirectoryException.class, "not a directory");
        w.put(DirectoryNotEmptyException.class, "the directory is not empty");
        w.put(EOFException.class, "the file ends too early");
        return Collections.unmodifiableMap(w);
    }

    /** The failure in words, without the file's name (the caller's message names the file). */
    public static String describe(IOException e) {
        for (Map.Entry<Class<? extends IOException>, String> known : WORDS.entrySet()) {
            if (known.getKey().isInstance(e)) {
                return known.getValue();
            }
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) {
            return "input/output error";
        }
        return words(reason);
    }

    /** {@code <file>: cannot <what>: <reason>} as a ModelException. */
    public static ModelException cannot(String what, Object file, IOException e) {
        return new ModelException(file + ": cannot " + what + ": " + describe(e), e);
    }

    /** An operating system's reason ("Is a directory") in the lower case of our messages, on one line. */
    private static String words(String reason) {
        String oneLine = reason.strip().replaceAll("\\s*\\R\\s*", "; ");
        return oneLine.length() > 1 && Character.isUpperCase(oneLine.charAt(0)) && Character.isLowerCase(oneLine.charAt(1))
                ? oneLine.substring(0, 1).toLowerCase(Locale.ROOT) + oneLine.substring(1) : oneLine;
    }
}
