package xportdnn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import xportdnn.model.Blob;
import xportdnn.model.HeapBudget;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;

/**
 * LeCun's IDX files (the MNIST format), plain or gzipped (told apart by the gzip magic bytes): an image file
 * (magic 2051: unsigned bytes, count x rows x cols) or a label file (magic 2049: one unsigned byte per item).
 * The header is big-endian: two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions,
 * then one 32-bit size per dimension.
 */
public final class Idx {

    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    private Idx() {
    }

    /** The images of an IDX image file: {@code pixels[(i * rows + y) * cols + x]}, 0 = background. */
    public record Images(Path file, int count, int rows, int cols, byte[] pixels) {

        /** Record {@code index} as load_image would give it: byte / 255, grey or tiled to three channels. */
        public FloatImage image(int index, boolean color) {
            int size = rows * cols;
            float[] grey = new float[size];
            for (int i = 0; i < size; i++) {
                grey[i] = (pixels[index * size + i] & 0xff) / 255f;
            }
            FloatImage img = new FloatImage(rows, cols, 1, grey);
            return color ? img.toColor() : img;
        }
    }

    public static Images readImages(Path file) {
        Content c = load(file, IMAGES_MAGIC, 3);
        return new Images(file, c.dims[0], c.dims[1], c.dims[2], c.data);
    }

    /** The labels of an IDX label file, each 0..255. */
    public static int[] readLabels(Path file) {
        Content c = load(file, LABELS_MAGIC, 1);
        int[] labels = new int[c.data.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = c.data[i] & 0xff;
        }
        return labels;
    }

    /** True when the file (gzipped or not) starts with the IDX image-file magic. */
    public static boolean isImageFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return isImageFile(in);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the stream (gzipped or not) starts as an IDX image file does; reads its first bytes. */
    public static boolean isImageFile(InputStream raw) throws IOException {
        InputStream in = unzipped(raw);
        byte[] head = in.readNBytes(4);
        return head.length == 4 && ByteBuffer.wrap(head).getInt() == IMAGES_MAGIC;
    }

    private static InputStream open(Path file) throws IOException {
        return unzipped(Files.newInputStream(file));
    }

    private static InputStream unzipped(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The sizes an IDX header gives and the data bytes after it. */
    private record Content(int[] dims, byte[] data) {
    }

    /**
     * Reads the header, then exactly the data bytes it announces and no more: a gzipped file is inflated only that
     * far, so a decompression bomb (a few kB inflating to gigabytes) stops at its declared size, and that size is
     * checked against one array and the heap before it is allocated.
     */
    private static Content load(Path file, int magic, int dims) {
        try (InputStream in = open(file)) {
            int[] sizes = header(file, in, magic, dims);
            long expected = Shapes.count(sizes, 0, dims); // each < 2^31, at most 3: fits a long
            String announced = "the IDX header announces " + Blob.describe(sizes) + " = " + expected + " data bytes";
            if (expected > Shapes.MAX_VALUES) {
                throw new ModelException(file + ": " + announced + ", more than one IDX file can hold (2 GB)");
            }
            HeapBudget.require(file, announced + ", which", expected, "");
            byte[] data = in.readNBytes((int) expected);
            if (data.length < expected) {
                throw new ModelException(file + ": truncated: " + announced + ", the file has " + data.length);
            }
            if (in.read() >= 0) {
                throw new ModelException(file + ": too long: " + announced + ", more follow");
            }
            return new Content(sizes, data);
        } catch (EOFException | ZipException e) {
            throw new ModelException(file + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
    }

    /** Checks the magic and reads the {@code dims} sizes, each positive. */
    private static int[] header(Path file, InputStream in, int magic, int dims) throws IOException {
        byte[] head = in.readNBytes(4 + 4 * dims);
        if (head.length < 4) {
            throw new ModelException(file + ": truncated IDX header (" + head.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(head); // big-endian, as IDX is
        int found = b.getInt(0);
        if (found != magic) {
            String kind = magic == IMAGES_MAGIC ? "image" : "label";
            throw new ModelException(file + ": not an IDX " + kind + " file (magic " + found + ", expected " + magic
                    + (found == IMAGES_MAGIC ? ": this is an image file" : found == LABELS_MAGIC
                            ? ": this is a label file" : "") + ")");
        }
        if (head.length < 4 + 4 * dims) {
            throw new ModelException(file + ": truncated IDX header (" + head.length + " bytes)");
        }
        int[] sizes = new int[dims];
        for (int d = 0; d < dims; d++) {
            sizes[d] = b.getInt(4 + 4 * d);
            if (sizes[d] <= 0) {
                throw new ModelException(file + ": IDX dimension " + d + " is " + sizes[d]);
            }
        }
        return sizes;
    }
}
