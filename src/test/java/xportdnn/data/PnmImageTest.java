package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.ModelException;

/**
 * PGM and PPM files whose maxval is not 255 (nor 65535 for grey), and ASCII samples above the maxval, decoded as
 * Pillow's PpmImagePlugin decodes them: code = round(v / maxval * out), half to even as Python's round, out 65535
 * for grey above 255, else 255; a binary sample above the maxval clamped, an ASCII one refused. The expected codes
 * are worked out by hand below (and agree with Python's {@code round(v / m * out)}); the image holds code / out.
 */
class PnmImageTest {

    @TempDir
    Path tmp;

    /**
     * P5, maxval 1000, 16-bit: 1 -> 65.535 -> 66; 333 -> 21823.155 -> 21823; 500 -> 32767.5 -> 32768 (half to even);
     * 999 -> 65469.465 -> 65469; 1000 -> 65535; 1200 (above the maxval) -> 78642, clamped to 65535. The
     * TwelveMonkeys reader gave (v * 65535) / 1000 truncated: 65 for 1, 32767 for 500.
     */
    @Test
    void sixteenBitGreyOfAnotherMaxvalIsScaledAsPillowScalesIt() throws IOException {
        int[] samples = {0, 1, 333, 500, 999, 1000, 1200};
        ByteArrayOutputStream file = header("P5", samples.length, 1, 1000);
        for (int v : samples) {
            file.write(v >> 8);
            file.write(v & 0xff);
        }
        FloatImage img = ImageDecoder.load(write("x.pgm", file), false);
        int[] codes = {0, 66, 21823, 32768, 65469, 65535, 65535};
        for (int x = 0; x < codes.length; x++) {
            assertEquals((float) (codes[x] / 65535.0), img.get(0, x, 0), "sample " + samples[x]);
        }
    }

    /**
     * P5, maxval 200, 8-bit: 1 -> 1.275 -> 1; 100 -> 127.5 -> 128; 150 -> 191.25 -> 191; 201 (above) -> 256.275,
     * clamped to 255. The TwelveMonkeys reader scaled signed bytes: 150 (-106) came out 121.
     */
    @Test
    void eightBitGreyOfAnotherMaxvalIsScaledAsPillowScalesIt() throws IOException {
        ByteArrayOutputStream file = header("P5", 4, 1, 200);
        file.write(new byte[] {1, 100, (byte) 150, (byte) 201});
        FloatImage img = ImageDecoder.load(write("x.pgm", file), false);
        int[] codes = {1, 128, 191, 255};
        for (int x = 0; x < codes.length; x++) {
            assertEquals((float) (codes[x] / 255.0), img.get(0, x, 0));
        }
    }

    /**
     * P6, maxval 65535: Pillow's RGB keeps 8 bits, round(v / 65535 * 255): 255 -> 0.992 -> 1 (its high byte is 0),
     * 32767 -> 127.498 -> 127, 65535 -> 255.
     */
    @Test
    void sixteenBitColourIsScaledToEightBitsAsPillowScalesIt() throws IOException {
        ByteArrayOutputStream file = header("P6", 1, 1, 65535);
        for (int v : new int[] {255, 32767, 65535}) {
            file.write(v >> 8);
            file.write(v & 0xff);
        }
        FloatImage img = ImageDecoder.load(write("x.ppm", file), true);
        assertEquals((float) (1 / 255.0), img.get(0, 0, 0));
        assertEquals((float) (127 / 255.0), img.get(0, 0, 1));
        assertEquals(1f, img.get(0, 0, 2));
    }

    /**
     * P2, maxval 10, with comments: 3 -> 76.5 -> 76 (half to even: rounding half up gives 77), 5 -> 127.5 -> 128,
     * 10 -> 255; a comment inside the data is skipped.
     */
    @Test
    void asciiSamplesAreScaledAndTheirCommentsSkipped() throws IOException {
        Path pgm = Files.writeString(tmp.resolve("x.pgm"), "P2\n# a comment\n4 1\n10\n0 3 # another\n5\n10\n",
                StandardCharsets.US_ASCII);
        FloatImage img = ImageDecoder.load(pgm, false);
        int[] codes = {0, 76, 128, 255};
        for (int x = 0; x < codes.length; x++) {
            assertEquals((float) (codes[x] / 255.0), img.get(0, x, 0));
        }
    }

    /** An ASCII sample above the maxval is refused, as Pillow refuses it, in one line naming the file and sample. */
    @Test
    void anAsciiSampleAboveTheMaxvalIsRefused() throws IOException {
        Path pgm = Files.writeString(tmp.resolve("over.pgm"), "P2\n2 2\n255\n0 1\n300 2\n", StandardCharsets.US_ASCII);
        ModelException e = assertThrows(ModelException.class, () -> ImageDecoder.load(pgm, false));
        assertEquals(pgm + ": cannot decode image: the sample at row 2, value 1 is 300, above the header's maxval 255 "
                + "(Pillow refuses the file: Channel value too large for this mode)", e.getMessage());
        Path ppm = Files.writeString(tmp.resolve("over.ppm"), "P3\n1 1\n15\n15 16 0\n", StandardCharsets.US_ASCII);
        e = assertThrows(ModelException.class, () -> ImageDecoder.load(ppm, true));
        assertTrue(e.getMessage().startsWith(ppm + ": cannot decode image: the sample at row 1, value 2 is 16, above "
                + "the header's maxval 15"), e.getMessage());
    }

    @Test
    void aTruncatedFileOrABadHeaderIsRefusedInOneLine() throws IOException {
        ByteArrayOutputStream cut = header("P5", 3, 2, 255);
        cut.write(new byte[] {1, 2, 3, 4});
        Path pgm = write("cut.pgm", cut);
        ModelException e = assertThrows(ModelException.class, () -> ImageDecoder.load(pgm, false));
        assertEquals(pgm + ": cannot decode image: the file ends before its 3 x 2 pixels (a truncated PGM)",
                e.getMessage());
        Path zero = Files.writeString(tmp.resolve("zero.pgm"), "P2\n1 1\n0\n0\n", StandardCharsets.US_ASCII);
        e = assertThrows(ModelException.class, () -> ImageDecoder.load(zero, false));
        assertEquals(zero + ": cannot decode image: maxval 0 in its header; PGM and PPM take 1 to 65535",
                e.getMessage());
        Path word = Files.writeString(tmp.resolve("word.ppm"), "P3\n1 1\n255\n1 x 2\n", StandardCharsets.US_ASCII);
        e = assertThrows(ModelException.class, () -> ImageDecoder.load(word, true));
        assertEquals(word + ": cannot decode image: the sample at row 1, value 2 is 'x', not a decimal number",
                e.getMessage());
    }

    private static ByteArrayOutputStream header(String magic, int width, int height, int maxval) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((magic + "\n" + width + " " + height + "\n" + maxval + "\n").getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    private Path write(String name, ByteArrayOutputStream bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes.toByteArray());
    }
}
