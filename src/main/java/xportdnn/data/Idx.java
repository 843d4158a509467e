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
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;

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
        ByteBuffer b = load(file, IMAGES_MAGIC, 3);
        int count = b.getInt(4);
        int rows = b.getInt(8);
        int cols = b.getInt(12);
        long perImage = (long) rows * cols; // each at most 2^31 - 1: no overflow
        if (perImage > Integer.MAX_VALUE || count > Integer.MAX_VALUE / perImage) {
            throw new ModelException(file + ": the IDX header announces " + count + " images of " + rows + " x " + cols
                    + " bytes, more than one IDX file can hold (2 GB)");
        }
        byte[] pixels = body(file, b, 16, count * perImage);
        return new Images(file, count, rows, cols, pixels);
    }

    /** The labels of an IDX label file, each 0..255. */
    public static int[] readLabels(Path file) {
        ByteBuffer b = load(file, LABELS_MAGIC, 1);
        int count = b.getInt(4);
        byte[] raw = body(file, b, 8, count);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = raw[i] & 0xff;
        }
        return labels;
    }

    /** True when the file (gzipped or not) starts with the IDX image-file magic. */
    public static boolean isImageFile(Path file) {
        try (InputStream in = open(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && ByteBuffer.wrap(head).getInt() == IMAGES_MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static ByteBuffer load(Path file, int magic, int dims) {
        byte[] bytes;
        try (InputStream in = open(file)) {
            bytes = in.readAllBytes();
        } catch (EOFException | ZipException e) {
            throw new ModelException(file + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes); // big-endian, as IDX is
        int headerSize = 4 + 4 * dims;
        if (bytes.length < 4) {
            throw new ModelException(file + ": truncated IDX header (" + bytes.length + " bytes)");
        }
        int found = b.getInt(0);
        if (found != magic) {
            String kind = magic == IMAGES_MAGIC ? "image" : "label";
            throw new ModelException(file + ": not an IDX " + kind + " file (magic " + found + ", expected " + magic
                    + (found == IMAGES_MAGIC ? ": this is an image file" : found == LABELS_MAGIC
                            ? ": this is a label file" : "") + ")");
        }
        if (bytes.length < headerSize) {
            throw new ModelException(file + ": truncated IDX header (" + bytes.length + " bytes)");
        }
        for (int d = 0; d < dims; d++) {
            if (b.getInt(4 + 4 * d) <= 0) {
                throw new ModelException(file + ": IDX dimension " + d + " is " + b.getInt(4 + 4 * d));
            }
        }
        return b;
    }

    private static byte[] body(Path file, ByteBuffer b, int offset, long expected) {
        long found = b.capacity() - offset;
        if (found != expected) {
            throw new ModelException(file + ": " + (found < expected ? "truncated" : "too long") + ": the IDX header "
                    + "announces " + expected + " data bytes, the file has " + found);
        }
        byte[] out = new byte[(int) expected];
        b.get(offset, out);
        return out;
    }
}
