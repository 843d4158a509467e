package xportdnn.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A NumPy {@code .npz} archive ({@code numpy.savez} / {@code savez_compressed}: a zip of {@code <key>.npy}
 * members, stored or deflated). Opening reads only the zip directory; {@link #read} inflates one member.
 */
public final class Npz implements AutoCloseable {

    private static final String SUFFIX = ".npy";

    private final Path file;
    private final ZipFile zip;

    private Npz(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
    }

    public static Npz open(Path file) {
        try {
            return new Npz(file, new ZipFile(file.toFile()));
        } catch (IOException e) {
            throw new ModelException(file + ": not a readable .npz (zip) archive: " + e.getMessage(), e);
        }
    }

    /** The member keys (entry names without {@code .npy}) in archive order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (ZipEntry e : Collections.list(zip.entries())) {
            if (e.getName().endsWith(SUFFIX)) {
                keys.add(e.getName().substring(0, e.getName().length() - SUFFIX.length()));
            }
        }
        return keys;
    }

    public boolean contains(String key) {
        return zip.getEntry(key + SUFFIX) != null;
    }

    /** Reads member {@code <key>.npy} as float32. */
    public Blob read(String key) {
        ZipEntry entry = zip.getEntry(key + SUFFIX);
        if (entry == null) {
            throw new ModelException(file + ": no member " + key + SUFFIX + " (" + keys().size() + " arrays in it)");
        }
        String source = file + ":" + entry.getName();
        try (InputStream in = zip.getInputStream(entry)) {
            return Npy.parse(in, entry.getSize(), source); // reads only what the member's .npy header announces
        } catch (IOException e) {
            throw new ModelException(source + ": corrupt archive member: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new ModelException(file + ": cannot close: " + e.getMessage(), e);
        }
    }
}
