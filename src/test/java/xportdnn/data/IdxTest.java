package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.model.ModelException;

class IdxTest {

    @TempDir
    Path tmp;

    @Test
    void mnistTestSetHasTenThousandRecordsAndTheKnownFirstLabels() {
        Idx.Images images = Idx.readImages(SharedData.require("data/mnist/t10k-images-idx3-ubyte.gz"));
        assertEquals(10_000, images.count());
        assertEquals(28, images.rows());
        assertEquals(28, images.cols());
        int[] labels = Idx.readLabels(SharedData.require("data/mnist/t10k-labels-idx1-ubyte.gz"));
        assertEquals(10_000, labels.length);
        // the first MNIST test digits, as every MNIST tutorial prints them
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, Arrays.copyOf(labels, 10));
    }

    /** A small IDX file built by hand: two 2x3 images, read plain and gzipped. */
    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        byte[] idx = images(2, 2, 3, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        for (Path file : new Path[] {write("plain-idx3-ubyte", idx), write("gz-idx3-ubyte.gz", gzip(idx))}) {
            Idx.Images images = Idx.readImages(file);
            assertEquals(2, images.count());
            FloatImage second = images.image(1, false);
            assertEquals(1, second.channels());
            assertEquals(6 / 255f, second.get(0, 0, 0));
            assertEquals(1f, second.get(1, 2, 0));
            FloatImage colour = images.image(1, true);
            assertEquals(3, colour.channels());
            assertEquals(8 / 255f, colour.get(0, 2, 1));
            assertTrue(Idx.isImageFile(file));
        }
        assertArrayEquals(new int[] {3, 200}, Idx.readLabels(write("labels", labels(new byte[] {3, (byte) 200}))));
    }

    @Test
    void malformedFilesGiveOneLineNamingTheFile() throws IOException {
        byte[] idx = images(2, 2, 3, new byte[12]);
        assertBad(write("short-data", Arrays.copyOf(idx, idx.length - 1)), "truncated");
        assertBad(write("long-data", Arrays.copyOf(idx, idx.length + 1)), "too long");
        assertBad(write("short-header", Arrays.copyOf(idx, 10)), "truncated IDX header");
        assertBad(write("labels-as-images", labels(new byte[] {1, 2})), "label file");
        byte[] gz = gzip(idx);
        assertBad(write("cut.gz", Arrays.copyOf(gz, gz.length - 12)), "truncated");
        byte[] zero = images(0, 2, 3, new byte[0]);
        assertBad(write("zero-count", zero), "dimension 0");
        assertFalse(Idx.isImageFile(write("text", "hello".getBytes())));
    }

    /** The real MNIST image file cut short is refused, not read as fewer images. */
    @Test
    void truncatedMnistIsRefused() throws IOException {
        Path real = SharedData.require("data/mnist/t10k-images-idx3-ubyte.gz");
        byte[] gz = Files.readAllBytes(real);
        assertBad(write("t10k-cut.gz", Arrays.copyOf(gz, gz.length / 2)), "truncated");
    }

    private void assertBad(Path file, String expected) {
        ModelException e = assertThrows(ModelException.class, () -> Idx.readImages(file), file.toString());
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(2051).putInt(count).putInt(rows).putInt(cols)
                .put(pixels).array();
    }

    private static byte[] labels(byte[] values) {
        return ByteBuffer.allocate(8 + values.length).putInt(2049).putInt(values.length).put(values).array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
