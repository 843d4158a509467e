package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;
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
}
