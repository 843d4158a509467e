package xportdnn.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SerializableWritable;
import xportdnn.data.FloatImage;
import xportdnn.data.Idx;
import xportdnn.data.ImageDecoder;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.TextLines;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;

/**
 * Image sets on any file system Hadoop reads, as Spark reads its inputs: {@code hdfs://}, {@code s3a://},
 * {@code file:/}, or a path without a scheme on the default file system ({@code fs.defaultFS}: this machine's
 * unless Hadoop's configuration says otherwise). The driver lists the set; every location it hands out is
 * qualified (scheme, authority, absolute path) so that an executor, whatever its working folder, reads the same
 * file, with the driver's Hadoop configuration (shipped with the job).
 */
final class HadoopImages implements ImageStore, Serializable {

    private final SerializableWritable<Configuration> configuration;

    HadoopImages(Configuration configuration) {
        this.configuration = new SerializableWritable<>(configuration);
    }

    /** An image file's pixels, read by whichever machine loads it. */
    record Image(HadoopImages store, String file) implements ImageSet.Pixels, Serializable {

        @Override
        public FloatImage load(boolean color) {
            byte[] bytes;
            try (InputStream in = store.open(file)) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw IoErrors.cannot("read the image", file, e);
            }
            return ImageDecoder.load(file, bytes, color);
        }
    }

    @Override
    public boolean isFolder(String location) {
        FileStatus status = status(location);
        return status != null && status.isDirectory();
    }

    @Override
    public boolean isFile(String location) {
        FileStatus status = status(location);
        return status != null && status.isFile();
    }

    @Override
    public SortedMap<String, String> files(String folder, Predicate<String> take) {
        Path dir = qualified(folder);
        String prefix = dir.toUri().getPath().replaceAll("/*$", "/");
        SortedMap<String, String> byName = new TreeMap<>();
        try {
            RemoteIterator<LocatedFileStatus> found = fileSystem(dir).listFiles(dir, true);
            while (found.hasNext()) {
                Path file = found.next().getPath();
                String name = file.toUri().getPath().substring(prefix.length());
                if (take.test(name)) {
                    byName.put(name, file.toString());
                }
            }
        } catch (IOException e) {
            throw IoErrors.cannot("list the folder", folder, e);
        }
        return byName;
    }

    @Override
    public List<String> lines(String file) {
        try (InputStream in = open(file)) {
            return TextLines.utf8(file, in.readAllBytes());
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
    }

    @Override
    public String sibling(String file, String relative) {
        return new Path(qualified(file).getParent(), relative).toString();
    }

    @Override
    public ImageSet.Pixels pixels(String file) {
        return new Image(this, qualified(file).toString());
    }

    /** An IDX file is refused: its records are not files a task can read by name. */
    @Override
    public ImageSet records(String file, java.nio.file.Path labels) {
        boolean idx;
        try (InputStream in = open(file)) {
            idx = Idx.isImageFile(in);
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
        if (idx) {
            throw new ModelException(file + ": an IDX file; with --spark the images are read as files by the "
                    + "executors (give a folder or a val.txt-style list, or leave out --spark)");
        }
        return null;
    }

    private InputStream open(String file) throws IOException {
        Path path = qualified(file);
        return fileSystem(path).open(path);
    }

    /** The location's status, or null when there is nothing there. */
    private FileStatus status(String location) {
        Path path = qualified(location);
        try {
            return fileSystem(path).getFileStatus(path);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw IoErrors.cannot("read", location, e);
        }
    }

    /** The location with its file system's scheme and authority and, for a relative path, the working folder. */
    private Path qualified(String location) {
        Path path;
        try {
            path = new Path(location);
        } catch (IllegalArgumentException e) {
            throw new ModelException(location + ": not a path or URI Hadoop reads: " + e.getMessage());
        }
        return fileSystem(path).makeQualified(path);
    }

    private FileSystem fileSystem(Path path) {
        try {
            return path.getFileSystem(configuration.value());
        } catch (IOException e) {
            throw new ModelException(path + ": no Hadoop file system for it: " + IoErrors.describe(e), e);
        }
    }
}
