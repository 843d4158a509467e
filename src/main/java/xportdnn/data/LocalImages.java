package xportdnn.data;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;

/** Image sets on this machine's file system ({@link ImageStore#LOCAL}). */
final class LocalImages implements ImageStore {

    /** {@code scheme:/...}: a URI, which only Hadoop's file systems read (with --spark). */
    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:/.*");

    @Override
    public boolean local() {
        return true;
    }

    static boolean isUri(String location) {
        return URI.matcher(location).matches();
    }

    @Override
    public boolean isFolder(String location) {
        if (isUri(location)) {
            throw new ModelException(location + ": a URI; image sets are read from URIs (hdfs://, s3a://, file:/...) "
                    + "with --spark only; give a local path, or add --spark");
        }
        return Files.isDirectory(path(location));
    }

    @Override
    public boolean isFile(String location) {
        return Files.isRegularFile(path(location));
    }

    /**
     * {@inheritDoc} Symbolic links are followed, and each file is taken once, under its first name in that order: a
     * link to a folder of the same tree (or a second hard link) used to list its images twice. A link to a folder
     * above it (a loop) is not followed again.
     */
    @Override
    public SortedMap<String, String> files(String folder, Predicate<String> take) {
        Path dir = path(folder);
        SortedMap<String, Found> found = new TreeMap<>();
        try {
            // the walk's own attributes answer, one stat per file; their file key (device and inode) tells a file
            // reached twice through links without resolving its real path
            Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                            String name = relativeName(dir, file);
                            if (attributes.isRegularFile() && take.test(name)) {
                                found.put(name, new Found(file, attributes.fileKey()));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            if (e instanceof FileSystemLoopException) {
                                return FileVisitResult.CONTINUE; // its folder is walked under its own name
                            }
                            throw e;
                        }
                    });
        } catch (IOException e) {
            throw IoErrors.cannot("list the folder", dir, e);
        }
        SortedMap<String, String> byName = new TreeMap<>();
        Set<Object> seen = new HashSet<>();
        found.forEach((name, file) -> {
            if (file.key() == null || seen.add(file.key())) { // no key (some file systems): kept as listed
                byName.put(name, file.path().toString());
            }
        });
        return byName;
    }

    /** A file the walk found, and what identifies it on its file system (null where there is nothing). */
    private record Found(Path path, Object key) {
    }

    @Override
    public List<String> lines(String file) {
        try {
            return TextLines.utf8(file, Files.readAllBytes(path(file)));
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
    }

    @Override
    public String sibling(String file, String relative) {
        return path(file).toAbsolutePath().getParent().resolve(path(relative)).toString();
    }

    @Override
    public ImageSet.Pixels pixels(String file) {
        return new ImageSet.ImageFile(path(file));
    }

    @Override
    public ImageSet records(String file, Path labels) {
        Path path = path(file);
        return Idx.isImageFile(path) ? ImageSet.idx(path, labels) : null;
    }

    /** A location as a local path; one that no path can be (a NUL character in it) is refused in words. */
    static Path path(String location) {
        try {
            return Path.of(location);
        } catch (InvalidPathException e) {
            throw new ModelException("'" + location.replace("\0", "\\0") + "': not a file path (" + e.getReason()
                    + ")");
        }
    }

    /** The path below {@code dir} with {@code /} separators. */
    private static String relativeName(Path dir, Path file) {
        List<String> parts = new ArrayList<>();
        dir.relativize(file).forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }
}
