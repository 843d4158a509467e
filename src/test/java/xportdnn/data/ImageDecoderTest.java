package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.IntUnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xportdnn.model.ModelException;

class ImageDecoderTest {

    private static final Path IMAGES = Path.of("testdata/images");
    /** The four 16x16 quadrants of quad.ppm (see testdata/README.md): top-left, top-right, bottom-left, bottom-right. */
    private static final int[][] QUADRANTS = {{220, 30, 40}, {30, 200, 60}, {40, 50, 210}, {128, 128, 128}};
    private static final int[][] CENTRES = {{8, 8}, {8, 24}, {24, 8}, {24, 24}}; // y, x

    @TempDir
    Path tmp;

    /**
     * A JPEG with an EXIF block after its JFIF header, the Orientation entry (tag 0x0112, SHORT, count 1) written by
     * hand in either byte order as the second entry of the first IFD, after an ImageWidth entry.
     */
    private Path jpegWithOrientation(String name, ByteOrder order, int orientation) throws IOException {
        Path plain = tmp.resolve("plain-" + name);
        BufferedImage rgb = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                rgb.setRGB(x, y, 0xff0000); // a red block at the top left, the rest black
            }
        }
        ImageIO.write(rgb, "jpg", plain.toFile());
        byte[] jpeg = Files.readAllBytes(plain);
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 2 * 12 + 4).order(order);
        tiff.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'}).putShort((short) 42)
                .putInt(8).putShort((short) 2);
        tiff.putShort((short) 0x0100).putShort((short) 3).putInt(1).putShort((short) 24).putShort((short) 0);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + exif.length + tiff.capacity();
        int app0End = 4 + ((jpeg[4] & 0xff) << 8 | jpeg[5] & 0xff); // SOI, then the JFIF APP0 ImageIO writes
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, app0End).put((byte) 0xFF).put((byte) 0xE1).putShort((short) length).put(exif)
                .put(tiff.array()).put(jpeg, app0End, jpeg.length - app0End);
        return Files.write(tmp.resolve(name), out.array());
    }

    /**
     * The EXIF orientation is read from the header and carried, the pixels kept as stored (24 wide, 16 high, the red
     * block at the top left), whatever the byte order; a file without the tag, and a PNG, are upright.
     */
    @Test
    void exifOrientationIsReadNotApplied() throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            FloatImage turned = ImageDecoder.load(jpegWithOrientation("turned-" + order + ".jpg", order, 6), true);
            assertEquals(6, turned.orientation());
            assertTrue(turned.turned());
            assertEquals(16, turned.height());
            assertEquals(24, turned.width());
            assertTrue(turned.get(2, 2, 0) > 0.9 && turned.get(2, 2, 1) < 0.1, "the red block stays at the top left");
            assertTrue(turned.get(12, 20, 0) < 0.1, "black at the bottom right");
        }
        // Pillow's file (testdata/README.md), which scikit-image 0.19.3 reads turned to 24 high and 16 wide
        FloatImage pillow = ImageDecoder.load(IMAGES.resolve("exif-orientation6.jpg"), true);
        assertEquals(6, pillow.orientation());
        assertEquals(16, pillow.height());
        assertTrue(pillow.get(2, 2, 0) > 0.9 && pillow.get(2, 2, 1) < 0.1);
        FloatImage upright = ImageDecoder.load(jpegWithOrientation("upright.jpg", ByteOrder.BIG_ENDIAN, 1), false);
        assertEquals(1, upright.orientation());
        assertFalse(upright.turned());
        assertEquals(1, ImageDecoder.load(IMAGES.resolve("progressive.jpg"), true).orientation());
        BufferedImage rgb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        Path png = tmp.resolve("a.png");
        ImageIO.write(rgb, "png", png.toFile());
        assertEquals(1, ImageDecoder.load(png, true).orientation());
        byte[] bytes = Files.readAllBytes(jpegWithOrientation("bytes.jpg", ByteOrder.LITTLE_ENDIAN, 8));
        assertEquals(8, ImageDecoder.load("bytes.jpg", bytes, true).orientation());
    }

    @Test
    void ppmIsReadExactly() {
        FloatImage img = ImageDecoder.load(IMAGES.resolve("quad.ppm"), true);
        assertEquals(32, img.height());
        assertEquals(32, img.width());
        for (int q = 0; q < 4; q++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(QUADRANTS[q][c] / 255f, img.get(CENTRES[q][0], CENTRES[q][1], c));
            }
        }
    }

    /**
     * Each JPEG against libjpeg-turbo's decoding of it (djpeg, the decoder family OpenCV uses). Progressive and
     * grey decode identically; CMYK/YCCK to RGB conversion rounds differently by one level on some pixels.
     */
    @ParameterizedTest
    @ValueSource(strings = {"progressive", "grey", "ycck", "cmyk"})
    void jpegMatchesLibjpegTurbo(String name) {
        boolean grey = name.equals("grey");
        FloatImage jpeg = ImageDecoder.load(IMAGES.resolve(name + ".jpg"), !grey);
        FloatImage djpeg = ImageDecoder.load(IMAGES.resolve(name + (grey ? ".djpeg.pgm" : ".djpeg.ppm")), !grey);
        assertEquals(grey ? 1 : 3, jpeg.channels());
        double maxLevels = maxDiff(jpeg, djpeg) * 255;
        assertTrue(maxLevels <= (name.equals("ycck") || name.equals("cmyk") ? 1.001 : 0), name + ": " + maxLevels);
        if (!grey) {
            for (int q = 0; q < 4; q++) { // and the colours come out in R,G,B order
                for (int c = 0; c < 3; c++) {
                    assertEquals(QUADRANTS[q][c], jpeg.get(CENTRES[q][0], CENTRES[q][1], c) * 255, 4, name);
                }
            }
        }
    }

    @Test
    void greyFileIsTiledForColourAndColourFileIsWeightedForGrey() {
        FloatImage grey = ImageDecoder.load(IMAGES.resolve("grey.jpg"), false);
        FloatImage tiled = ImageDecoder.load(IMAGES.resolve("grey.jpg"), true);
        for (int i = 0; i < grey.pixels().length; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(grey.pixels()[i], tiled.pixels()[3 * i + c]);
            }
        }
        FloatImage colour = ImageDecoder.load(IMAGES.resolve("quad.ppm"), true);
        FloatImage weighted = ImageDecoder.load(IMAGES.resolve("quad.ppm"), false);
        assertEquals(1, weighted.channels());
        for (int q = 0; q < 4; q++) {
            int[] rgb = QUADRANTS[q];
            // skimage rgb2gray: 0.2125 R + 0.7154 G + 0.0721 B
            double expected = (0.2125 * rgb[0] + 0.7154 * rgb[1] + 0.0721 * rgb[2]) / 255;
            assertEquals(expected, weighted.get(CENTRES[q][0], CENTRES[q][1], 0), 1e-7);
            assertEquals(rgb[0] / 255f, colour.get(CENTRES[q][0], CENTRES[q][1], 0));
        }
    }

    /** PNG (8-bit RGB, RGBA, 16-bit grey, palette) and BMP written here with ImageIO, read back exactly. */
    @Test
    void pngAndBmpVariants() throws IOException {
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage rgba = new BufferedImage(3, 2, BufferedImage.TYPE_4BYTE_ABGR);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int v = (10 * x + 100 * y) << 16 | (20 + x) << 8 | (250 - y);
                rgb.setRGB(x, y, v);
                rgba.setRGB(x, y, v | (x * 60) << 24); // varying alpha: must be dropped, not blended
            }
        }
        for (Object[] c : new Object[][] {{rgb, "png"}, {rgb, "bmp"}, {rgba, "png"}}) {
            Path file = tmp.resolve("img-" + ((BufferedImage) c[0]).getType() + "." + c[1]);
            assertTrue(ImageIO.write((BufferedImage) c[0], (String) c[1], file.toFile()), file.toString());
            FloatImage img = ImageDecoder.load(file, true);
            assertEquals(3, img.channels());
            assertEquals(110 / 255f, img.get(1, 1, 0), file.toString());
            assertEquals(21 / 255f, img.get(1, 1, 1), file.toString());
            assertEquals(249 / 255f, img.get(1, 1, 2), file.toString());
            assertEquals(0f, img.get(0, 0, 0), file.toString());
        }

        BufferedImage grey16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(0, 0, 0, 1000);
        grey16.getRaster().setSample(1, 0, 0, 65535);
        Path png16 = tmp.resolve("grey16.png");
        ImageIO.write(grey16, "png", png16.toFile());
        FloatImage g = ImageDecoder.load(png16, false);
        assertEquals(1000 / 65535f, g.get(0, 0, 0)); // skimage img_as_float divides uint16 by 65535
        assertEquals(1f, g.get(0, 1, 0));

        byte[] red = {0, (byte) 200};
        byte[] green = {0, 100};
        byte[] blue = {0, 50};
        BufferedImage palette = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, red, green, blue));
        palette.getRaster().setSample(1, 0, 0, 1);
        Path pngP = tmp.resolve("palette.png");
        ImageIO.write(palette, "png", pngP.toFile());
        FloatImage p = ImageDecoder.load(pngP, true);
        assertEquals(200 / 255f, p.get(0, 1, 0));
        assertEquals(50 / 255f, p.get(0, 1, 2));
    }

    /**
     * A 16-bit RGB PNG is read by each sample's high byte, as PIL (so caffe.io.load_image) reads it: PIL 9.4 gives
     * 18, 0, 255 / 128, 127, 1 for the samples below (0x7fff is truncated to 127, not rounded). Grey stays 16-bit.
     */
    @Test
    void sixteenBitColourIsReadByItsHighBytes() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        BufferedImage img = new BufferedImage(cm, cm.createCompatibleWritableRaster(2, 1), false, null);
        img.getRaster().setPixels(0, 0, 2, 1, new int[] {0x12ff, 0x0080, 0xffff, 0x8000, 0x7fff, 0x0101});
        Path png = tmp.resolve("rgb16.png");
        assertTrue(ImageIO.write(img, "png", png.toFile()));
        FloatImage colour = ImageDecoder.load(png, true);
        float[] expected = {18 / 255f, 0, 1, 128 / 255f, 127 / 255f, 1 / 255f};
        assertArrayEquals(expected, colour.pixels());
        FloatImage grey = ImageDecoder.load(png, false);
        assertEquals((0.2125 * 128 + 0.7154 * 127 + 0.0721 * 1) / 255, grey.get(0, 1, 0), 1e-7);
    }

    /**
     * A 16-bit PNG of grey with a stored alpha channel (colour type 4) is read by its samples' high bytes: Pillow
     * opens it as 8-bit RGBA (rawmode LA;16B copies the grey sample's first byte to R, G and B), so
     * caffe.io.load_image gives 0x12 / 255 for a sample 0x12ff, grey or colour. A 16-bit grey PNG with a tRNS colour
     * key instead, which the JDK hands over in the same grey + alpha layout, Pillow keeps 16-bit (mode I, uint16).
     */
    @Test
    void sixteenBitGreyWithAlphaIsReadByItsHighBytes() throws IOException {
        byte[] greyAlpha = {0x12, (byte) 0xff, 0x00, 0x10, (byte) 0x80, 0x00, (byte) 0xff, (byte) 0xff};
        Path ga = Files.write(tmp.resolve("ga16.png"), png16(4, greyAlpha, null));
        for (boolean colour : new boolean[] {true, false}) {
            FloatImage img = ImageDecoder.load(ga, colour);
            assertEquals(0x12 / 255f, img.get(0, 0, 0), 1e-7, "colour " + colour);
            assertEquals(0x80 / 255f, img.get(0, 1, 0), 1e-7, "colour " + colour);
        }
        byte[] grey = {0x12, (byte) 0xff, (byte) 0x80, 0x00};
        Path keyed = Files.write(tmp.resolve("g16-trns.png"), png16(0, grey, new byte[] {(byte) 0x80, 0x00}));
        FloatImage img = ImageDecoder.load(keyed, false);
        assertEquals(0x12ff / 65535f, img.get(0, 0, 0));
        assertEquals(0x8000 / 65535f, img.get(0, 1, 0));
    }

    /** A 2 x 1 PNG, 16 bits per sample, of colour type {@code colourType}, one row of {@code samples}, and a tRNS. */
    private static byte[] png16(int colourType, byte[] samples, byte[] trns) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        pngChunk(file, "IHDR", ByteBuffer.allocate(13).putInt(2).putInt(1).put((byte) 16).put((byte) colourType)
                .put(new byte[3]).array());
        if (trns != null) {
            pngChunk(file, "tRNS", trns);
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(raw)) {
            z.write(0); // filter type None
            z.write(samples);
        }
        pngChunk(file, "IDAT", raw.toByteArray());
        pngChunk(file, "IEND", new byte[0]);
        return file.toByteArray();
    }

    private static void pngChunk(ByteArrayOutputStream file, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        file.write(ByteBuffer.allocate(4).putInt(data.length).array());
        file.write(name);
        file.write(data);
        file.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * A 16-bit BMP's 5- and 6-bit samples are widened to 8 bits as Pillow widens them, {@code v * 255 / (2^b - 1)}
     * rounded down (its BGR;15 and BGR;16 unpackers), so caffe.io.load_image sees 131 / 255 for a 5-bit 16, where
     * Java's getRGB rounds up to 132. Below: X1R5G5B5 (no compression) with R = G = B = v, and R5G6B5 (bit fields)
     * with green v and red = blue = v / 2, for every level v.
     */
    @Test
    void sixteenBitBmpSamplesAreWidenedAsPillowWidensThem() throws IOException {
        Path rgb555 = Files.write(tmp.resolve("555.bmp"), bmp16(32, null, v -> v << 10 | v << 5 | v));
        FloatImage img = ImageDecoder.load(rgb555, true);
        for (int v = 0; v < 32; v++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(v * 255 / 31 / 255f, img.get(0, v, c), "level " + v + " channel " + c);
            }
        }
        Path rgb565 = Files.write(tmp.resolve("565.bmp"),
                bmp16(64, new int[] {0xf800, 0x07e0, 0x001f}, v -> v / 2 << 11 | v << 5 | v / 2));
        img = ImageDecoder.load(rgb565, true);
        for (int v = 0; v < 64; v++) {
            assertEquals(v / 2 * 255 / 31 / 255f, img.get(0, v, 0), "red level " + v / 2);
            assertEquals(v * 255 / 63 / 255f, img.get(0, v, 1), "green level " + v);
        }
    }

    /** A {@code width} x 1 BMP of 16-bit pixels {@code pixel(x)}; with {@code masks}, BI_BITFIELDS (red, green, blue). */
    private static byte[] bmp16(int width, int[] masks, IntUnaryOperator pixel) {
        int header = 14 + 40 + (masks == null ? 0 : 12);
        int row = (width * 2 + 3) / 4 * 4;
        ByteBuffer b = ByteBuffer.allocate(header + row).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(header + row).putInt(0).putInt(header);
        b.putInt(40).putInt(width).putInt(1).putShort((short) 1).putShort((short) 16).putInt(masks == null ? 0 : 3)
                .putInt(row).putInt(2835).putInt(2835).putInt(0).putInt(0);
        if (masks != null) {
            b.putInt(masks[0]).putInt(masks[1]).putInt(masks[2]);
        }
        for (int x = 0; x < width; x++) {
            b.putShort((short) pixel.applyAsInt(x));
        }
        return b.array();
    }

    /**
     * A CMYK TIFF (ink amounts as stored; the JDK's reader hands them over as CMYK) is converted as Pillow does it:
     * Pillow 9.4 reads the three pixels below as RGB 222,227,230 / 0,255,127 / 105,27,81. Java's own conversion
     * (through a CMYK profile) gave 240,242,244 for the first.
     */
    @Test
    void cmykTiffIsConvertedAsPillowDoes() throws IOException {
        byte[] inks = {9, 3, 0, 25, (byte) 255, 0, (byte) 128, 0, 40, (byte) 200, 90, (byte) 130};
        Path tiff = Files.write(tmp.resolve("cmyk.tif"), uncompressedCmykTiff(3, 1, inks));
        FloatImage img = ImageDecoder.load(tiff, true);
        int[] expected = {222, 227, 230, 0, 255, 127, 105, 27, 81};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] / 255f, img.pixels()[i], "sample " + i);
        }
    }

    /**
     * A 4-component JPEG without an Adobe segment (Java's writer makes one from a 4-band raster, component ids 1 to
     * 4) is CMYK to libjpeg, and Pillow takes every 4-component JPEG as Adobe's inverted CMYK (rawmode CMYK;I) before
     * cmyk2rgb: from the samples as stored (the decoder's raster, unconverted), R = (255 - k') - c' (255 - k') / 255
     * with c' = 255 - c and k' = 255 - k, as Pillow's MULDIV255 rounds it. The TwelveMonkeys reader took the four
     * components as YCbCr and alpha, up to 255 codes off.
     */
    @Test
    void aFourComponentJpegWithoutAdobeSegmentIsInvertedCmykAsPillowReadsIt() throws IOException {
        WritableRaster inks = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 21, 17, 4, null);
        for (int y = 0; y < 17; y++) {
            for (int x = 0; x < 21; x++) {
                inks.setPixel(x, y, new int[] {x * 12, y * 15, 255 - x * 5, (x + y) * 6});
            }
        }
        ImageWriter writer = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext();) {
            ImageWriter w = it.next();
            writer = writer == null && w.canWriteRasters() ? w : writer;
        }
        Path file = tmp.resolve("cmyk-no-adobe.jpg");
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(inks, null, null), null);
        }
        writer.dispose();
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("Adobe"));
        Raster stored;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            stored = reader.readRaster(0, null);
        }
        FloatImage img = ImageDecoder.load(file, true);
        for (int y = 0; y < 17; y++) {
            for (int x = 0; x < 21; x++) {
                int k = 255 - stored.getSample(x, y, 3);
                for (int c = 0; c < 3; c++) {
                    int t = (255 - stored.getSample(x, y, c)) * (255 - k) + 128;
                    int expected = (255 - k) - (((t >> 8) + t) >> 8);
                    assertEquals(expected / 255f, img.get(y, x, c), "pixel " + x + "," + y + " channel " + c);
                }
            }
        }
    }

    /** A baseline TIFF, little-endian, one strip of 8-bit CMYK pixels (PhotometricInterpretation 5: separated). */
    private static byte[] uncompressedCmykTiff(int width, int height, byte[] inks) {
        int[][] entries = { // tag, type (3 SHORT, 4 LONG), count, value
            {256, 3, 1, width}, {257, 3, 1, height}, {258, 3, 4, -1}, {259, 3, 1, 1}, {262, 3, 1, 5},
            {273, 4, 1, -2}, {277, 3, 1, 4}, {278, 3, 1, height}, {279, 4, 1, inks.length}, {284, 3, 1, 1}};
        int bitsAt = 8 + 2 + 12 * entries.length + 4;
        int dataAt = bitsAt + 8;
        ByteBuffer b = ByteBuffer.allocate(dataAt + inks.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'I', 'I', 42, 0}).putInt(8).putShort((short) entries.length);
        for (int[] e : entries) {
            int value = e[3] == -1 ? bitsAt : e[3] == -2 ? dataAt : e[3];
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
            if (e[1] == 3 && e[2] == 1) {
                b.putShort((short) value).putShort((short) 0);
            } else {
                b.putInt(value);
            }
        }
        b.putInt(0).putShort((short) 8).putShort((short) 8).putShort((short) 8).putShort((short) 8).put(inks);
        return b.array();
    }

    @Test
    void pgmIsGreyAndExact() throws IOException {
        byte[] header = "P5\n3 1\n255\n".getBytes(StandardCharsets.US_ASCII);
        byte[] file = Arrays.copyOf(header, header.length + 3);
        file[header.length] = 0;
        file[header.length + 1] = 77;
        file[header.length + 2] = (byte) 255;
        Path pgm = Files.write(tmp.resolve("x.pgm"), file);
        FloatImage img = ImageDecoder.load(pgm, false);
        assertEquals(1, img.channels());
        assertEquals(77 / 255f, img.get(0, 1, 0));
        assertEquals(1f, img.get(0, 2, 0));
    }

    @Test
    void badFilesGiveOneLineNamingTheFile() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "this is not a picture");
        assertBad(text, "not an image");
        byte[] png = Files.readAllBytes(writePng());
        assertBad(Files.write(tmp.resolve("cut.png"), Arrays.copyOf(png, 40)), "cannot decode");
        assertBad(tmp.resolve("missing.png"), "no such image file");
        assertBad(Files.write(tmp.resolve("empty.jpg"), new byte[0]), "an empty file (0 bytes), not an image");
    }

    /**
     * A JPEG cut inside its compressed data is refused, as Pillow refuses it ("image file is truncated"), not painted
     * grey where the data stops (the JDK's decoder only warns); a baseline JPEG that lacks only its end marker (EOI)
     * after whole data is read, as Pillow reads it, and gives the whole file's pixels.
     */
    @Test
    void aTruncatedJpegIsRefusedAndOneMissingOnlyItsEndMarkerIsRead() throws IOException {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | (x * y) & 0xff);
            }
        }
        Path whole = tmp.resolve("whole.jpg");
        assertTrue(ImageIO.write(img, "jpg", whole.toFile()));
        byte[] jpeg = Files.readAllBytes(whole);
        assertBad(Files.write(tmp.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 3 / 4)),
                "cannot decode image: the file ends inside the image data (a truncated JPEG");
        Path noEnd = Files.write(tmp.resolve("no-eoi.jpg"), Arrays.copyOf(jpeg, jpeg.length - 2));
        assertArrayEquals(ImageDecoder.load(whole, true).pixels(), ImageDecoder.load(noEnd, true).pixels());

        // progressive: libjpeg reads every scan before it gives a row, so Pillow refuses one cut between two scans
        // (here before the third), where the JDK's decoder gives the coarser picture of the first two, and even one
        // that lacks only its end marker
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        Path progressive = tmp.resolve("progressive.jpg");
        try (ImageOutputStream out = ImageIO.createImageOutputStream(progressive.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        }
        writer.dispose();
        byte[] scans = Files.readAllBytes(progressive);
        int third = -1;
        for (int i = 0, seen = 0; i + 1 < scans.length && third < 0; i++) {
            if ((scans[i] & 0xff) == 0xFF && (scans[i + 1] & 0xff) == 0xDA && ++seen == 3) {
                third = i;
            }
        }
        assertTrue(third > 0, "a progressive file has more than two scans");
        assertBad(Files.write(tmp.resolve("two-scans.jpg"), Arrays.copyOf(scans, third)),
                "cannot decode image: the file ends before its end marker (a truncated progressive JPEG");
        assertBad(Files.write(tmp.resolve("progressive-no-eoi.jpg"), Arrays.copyOf(scans, scans.length - 2)),
                "(a truncated progressive JPEG");
    }

    /**
     * A JPEG carrying a colour profile other than sRGB (here the JDK's linear RGB, in an APP2 ICC_PROFILE segment
     * after SOI) gives the samples as stored, the same as the file without the segment: Pillow, so
     * caffe.io.load_image, ignores the profile. The TwelveMonkeys reader converted through it, up to 73 codes off.
     */
    @Test
    void aJpegsColourProfileIsNotApplied() throws IOException {
        BufferedImage img = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 10) << 8 | 90);
            }
        }
        Path plain = tmp.resolve("plain.jpg");
        assertTrue(ImageIO.write(img, "jpg", plain.toFile()));
        byte[] jpeg = Files.readAllBytes(plain);
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] name = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + name.length + 2 + icc.length);
        out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE2).putShort((short) (2 + name.length + 2 + icc.length))
                .put(name).put((byte) 1).put((byte) 1).put(icc).put(jpeg, 2, jpeg.length - 2);
        Path profiled = Files.write(tmp.resolve("profiled.jpg"), out.array());
        assertArrayEquals(ImageDecoder.load(plain, true).pixels(), ImageDecoder.load(profiled, true).pixels());
        assertArrayEquals(ImageDecoder.load(plain, false).pixels(), ImageDecoder.load(profiled, false).pixels());
    }

    private Path writePng() throws IOException {
        Path file = tmp.resolve("ok.png");
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < 64; i++) {
            img.setRGB(i, i, 0x123456 * i);
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    private static void assertBad(Path file, String expected) {
        ModelException e = assertThrows(ModelException.class, () -> ImageDecoder.load(file, true));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static double maxDiff(FloatImage a, FloatImage b) {
        assertEquals(a.pixels().length, b.pixels().length);
        double max = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            max = Math.max(max, Math.abs(a.pixels()[i] - b.pixels()[i]));
        }
        return max;
    }
}
