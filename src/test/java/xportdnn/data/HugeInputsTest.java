package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.CaffemodelReader;
import xportdnn.model.ModelException;

/** Inputs too big to handle are refused in words from their size or header, before anything is read or decoded. */
class HugeInputsTest {

    @TempDir
    Path dir;

    /** A BMP header announcing 20000 x 20000 24-bit pixels, without the pixels. */
    private Path bmp20k() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54 + 1_200_000_000).putInt(0).putInt(54);
        b.putInt(40).putInt(20_000).putInt(20_000).putShort((short) 1).putShort((short) 24).putInt(0)
                .putInt(1_200_000_000).putInt(2835).putInt(2835).putInt(0).putInt(0);
        return Files.write(dir.resolve("huge.bmp"), b.array());
    }

    /** A PNG signature and IHDR chunk announcing 20000 x 20000 8-bit RGB, without image data. */
    private Path png20k() throws IOException {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes()).putInt(20_000).putInt(20_000).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return Files.write(dir.resolve("huge.png"), png.array());
    }

    @Test
    void imagesOf20kBy20kAreRefusedFromTheHeader() throws IOException {
        for (Path file : new Path[] {bmp20k(), png20k()}) {
            ModelException e = assertThrows(ModelException.class, () -> assertTimeoutPreemptively(
                    Duration.ofSeconds(20), () -> ImageDecoder.load(file, true)));
            assertTrue(e.getMessage().startsWith(file + ": the image is 20000 x 20000 pixels; decoding it needs about "
                    + "8.0 GB, more than half of the "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void caffemodelOver2GBIsRefusedBeforeParsing() throws IOException {
        Path big = dir.resolve("big.caffemodel");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(2_200_000_000L); // sparse: no disk space used
        }
        ModelException e = assertThrows(ModelException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> CaffemodelReader.read(big)));
        assertEquals(big + ": the caffemodel is 2.2 GB; a Caffe model (a protobuf message) cannot be read above 2 GB "
                + "(2147483647 bytes), by Caffe or by xportdnn", e.getMessage());
    }

    /**
     * A gzipped IDX whose header announces 2 images of 2 x 3 bytes but whose data inflates to 50 MB (a
     * decompression bomb in small): refused after reading one byte past the 12 announced, not after inflating all.
     */
    @Test
    void gzipIdxIsInflatedOnlyAsFarAsItsHeaderAnnounces() throws IOException {
        Path bomb = dir.resolve("bomb-idx3-ubyte.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            out.write(ByteBuffer.allocate(16).putInt(Idx.IMAGES_MAGIC).putInt(2).putInt(2).putInt(3).array());
            out.write(new byte[50_000_000]);
        }
        assertTrue(Files.size(bomb) < 200_000, "the test file is small: " + Files.size(bomb));
        ModelException e = assertThrows(ModelException.class, () -> Idx.readImages(bomb));
        assertEquals(bomb + ": too long: the IDX header announces 2x2x3 = 12 data bytes, more follow", e.getMessage());
        // a header beyond what one array (and so one IDX file) can hold is refused before anything else is read
        Path huge = Files.write(dir.resolve("huge-idx3-ubyte"),
                ByteBuffer.allocate(16).putInt(Idx.IMAGES_MAGIC).putInt(100_000_000).putInt(28).putInt(28).array());
        e = assertThrows(ModelException.class, () -> Idx.readImages(huge));
        assertEquals(huge + ": the IDX header announces 100000000x28x28 = 78400000000 data bytes, more than one IDX file "
                + "can hold (2 GB)", e.getMessage());
    }

    /** A mean file far larger than any mean of the net's input is refused from its size, before it is read. */
    @Test
    void meanFileLargerThanTheInputCanNeedIsRefusedFromItsSize() throws IOException {
        Path big = dir.resolve("mean.binaryproto");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3_000_000_000L); // sparse
        }
        // 3 x 32 x 32 = 3072 values: at most 3072 * 9 + 16384 = 44032 bytes
        ModelException e = assertThrows(ModelException.class, () -> MeanFile.read(big, new int[] {3, 32, 32}));
        assertEquals(big + ": the mean file is 3.0 GB, too large for the net's input 3x32x32 (a mean of 3072 values "
                + "takes at most 44.0 kB)", e.getMessage());
        // a .npy mean whose header announces 3 x 32 x 32 but holds 8 values
        Path cut = dir.resolve("mean.npy");
        byte[] whole = Files.readAllBytes(Path.of("testdata/npy/f4_1x2x3x4.npy"));
        Files.write(cut, Arrays.copyOf(whole, whole.length - 4));
        e = assertThrows(ModelException.class, () -> MeanFile.read(cut, new int[] {2, 3, 4}));
        assertTrue(e.getMessage().startsWith(cut + ": truncated: shape 1x2x3x4 of <f4 needs 96 data bytes, the file has 92"),
                e.getMessage());
    }
}
