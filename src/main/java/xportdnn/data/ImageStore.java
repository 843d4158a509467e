package xportdnn.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * Where an image set's files are listed and read: this machine's file system ({@link #LOCAL}), or with
 * {@code --spark} any file system Hadoop reads (xportdnn.spark). A location is a string: a local path, or for the
 * latter a URI ({@code hdfs://...}, {@code s3a://...}, {@code file:/...}).
 */
public interface ImageStore {

    /** Whether {@code location} is a folder. */
    boolean isFolder(String location);

    /** Whether {@code location} is a regular file. */
    boolean isFile(String location);

    /**
     * Every file under {@code folder} (recursively) whose relative path passes {@code take}, by that path with
     * {@code /} separators, in its order: the set's names and order. Fails naming the folder.
     */
    SortedMap<String, String> files(String folder, Predicate<String> take);

    /** A text file's lines ({@link TextLines}: UTF-8, without a byte order mark). Fails naming the file. */
    List<String> lines(String file);

    /** The location of {@code relative}, a path relative to the folder {@code file} is in. */
    String sibling(String file, String relative);

    /** How an image file's pixels are read. */
    ImageSet.Pixels pixels(String file);

    /** The images a file holds itself (an IDX file's records, labelled by {@code labels}), or null for a list. */
    ImageSet records(String file, Path labels);

    /**
     * Whether the sets listed here read this machine's files ({@link ImageSet.ImageFile}), so that a set opened
     * here tells the files a run reads ({@link ImageSet#inputFiles}).
     */
    default boolean local() {
        return false;
    }

    /**
     * {@code set}, opened from this store, as the listing of the files a run reads when it names this machine's
     * files ({@link #local()}), else null: the run's settings then list a local location's files themselves
     * ({@link ImageSet#files(Path, ImageSet)}).
     */
    default ImageSet localListing(ImageSet set) {
        return local() ? set : null;
    }

    /** The local file a location names, or empty for a URI (read by Hadoop, with --spark). */
    static Optional<Path> localPath(String location) {
        return LocalImages.isUri(location) ? Optional.empty() : Optional.of(LocalImages.path(location));
    }

    /** A location as records name it: a local path absolute and normalized, a URI as given. */
    static String canonical(String location) {
        return localPath(location).map(p -> p.toAbsolutePath().normalize().toString()).orElse(location);
    }

    /** This machine's file system, through java.nio. */
    ImageStore LOCAL = new LocalImages();
}
