package xportdnn.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.w3c.dom.Node;
import xportdnn.model.HeapBudget;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;

/**
 * Decodes an image file the way {@code caffe.io.load_image(filename, color)} does: an H x W x C float image in
 * [0, 1] (sample / (2^bits - 1), like skimage's {@code img_as_float}), channels R,G,B when {@code color}, else
 * one grey channel. A grey file is tiled to three equal channels for a colour model and kept exact for a grey
 * one; a colour file is turned grey with skimage's {@code rgb2gray} weights (0.2125 R + 0.7154 G + 0.0721 B).
 * Alpha is dropped. A 16-bit colour file is read by its samples' high bytes (PIL's 8-bit RGB), 16-bit grey in
 * full. PGM and PPM files are read as Pillow reads them ({@link PnmImage}); the rest goes through
 * {@code javax.imageio}: the TwelveMonkeys plugins on the classpath read JPEG (baseline, progressive, grey, CMYK,
 * YCCK), BMP and the other PNM kinds (PBM, PAM); the JDK reads PNG, GIF (the first frame) and TIFF.
 * Samples are taken as stored (no ICC colour management), as skimage/PIL and OpenCV do. EXIF orientation is not
 * applied, as skimage up to 0.14 (reading through PIL, the original XportDNN's) did not; skimage 0.15 and later
 * read through imageio, which applies it, and so does {@code cv::imread} (Caffe's C++ ImageData layer). The image
 * carries the file's orientation tag ({@link FloatImage#orientation}) so that a run can say how many it read so.
 */
public final class ImageDecoder {

    private static final double RED = 0.2125;
    private static final double GREEN = 0.7154;
    private static final double BLUE = 0.0721;
    private static final String PNG_METADATA = "javax_imageio_png_1.0";

    private ImageDecoder() {
    }

    public static FloatImage load(Path file, boolean color) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file + ": no such image file");
        }
        if (empty(file)) {
            throw emptyFile(file);
        }
        return convert(decode(file, () -> ImageIO.createImageInputStream(file.toFile())), color);
    }

    /** An image file's bytes as read elsewhere (a Spark task reading HDFS), named {@code name} in messages. */
    public static FloatImage load(String name, byte[] bytes, boolean color) {
        if (bytes.length == 0) {
            throw emptyFile(name);
        }
        return convert(decode(name, () -> new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))), color);
    }

    /** Whether {@code file} holds no byte (a failed copy); if its size cannot be read, the reader says why. */
    private static boolean empty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static ModelException emptyFile(Object file) {
        return new ModelException(file + ": an empty file (0 bytes), not an image");
    }

    /** Opens the stream the reader decodes (null when Java cannot open one). */
    private interface Source {
        ImageInputStream open() throws IOException;
    }

    /**
     * A file's pixels as stored, its EXIF orientation, and whether it is a PNG of grey with a stored alpha channel
     * (colour type 4).
     */
    private record Stored(BufferedImage pixels, int orientation, boolean pngGreyAlpha) {
    }

    private static Stored decode(Object file, Source source) {
        ImageReader reader = null;
        ImageInputStream in = null;
        try (ImageInputStream stored = source.open()) {
            JpegHeader jpeg = stored == null ? null : JpegHeader.read(stored);
            in = stored == null ? null : jpeg.withoutProfile(stored);
            PnmImage pnm = in == null ? null : PnmImage.header(file, in);
            if (pnm != null) {
                checkSize(file, pnm.width(), pnm.height());
                return new Stored(pnm.pixels(file, in), ExifOrientation.UPRIGHT, false);
            }
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new ModelException(file + ": not an image in a format we read (JPEG, PNG, BMP, PNM, GIF, TIFF)");
            }
            int orientation = ExifOrientation.read(in);
            reader = readers.next();
            reader.setInput(in, true, true);
            checkSize(file, reader.getWidth(0), reader.getHeight(0));
            ReadWarnings warnings = new ReadWarnings(reader);
            BufferedImage pixels = jpeg.cmykWithoutAdobeSegment() ? invertedCmyk(reader.readRaster(0, null))
                    : reader.read(0);
            String damage = warnings.damage(jpeg.progressive());
            if (damage != null) {
                throw new ModelException(file + ": cannot decode image: " + damage);
            }
            boolean greyAlpha = sixteenBitGreyAlpha(pixels.getColorModel()) && pngGreyAlpha(reader);
            return new Stored(pixels, orientation, greyAlpha);
        } catch (OutOfMemoryError e) {
            throw new ModelException(file + ": cannot decode image: it needs more memory than Java may use (-Xmx)", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelException m) {
                throw m;
            }
            // readers signal corrupt data with IIOException but sometimes with runtime exceptions too
            String why = e instanceof IOException io ? IoErrors.describe(io)
                    : e.getMessage() == null ? "corrupt or unsupported data" : e.getMessage();
            throw new ModelException(file + ": cannot decode image: " + why, e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
            JpegHeader.close(in);
        }
    }

    /** Whether the decoded image is grey and alpha, 16 bits each (the case {@link #pngGreyAlpha} tells apart). */
    private static boolean sixteenBitGreyAlpha(ColorModel cm) {
        return cm.hasAlpha() && plainSampleBits(cm) == 16 && cm.getNumColorComponents() == 1;
    }

    /**
     * Whether the PNG {@code reader} has read has colour type 4, grey with an alpha channel stored. Pillow opens a
     * 16-bit one as 8-bit RGBA (rawmode LA;16B: each sample's high byte), not as 16-bit grey. The JDK gives it the
     * same 16-bit grey + alpha layout as a 16-bit grey PNG with a tRNS colour key, which Pillow keeps 16-bit (mode
     * I, uint16 to skimage); only the header tells them apart.
     */
    private static boolean pngGreyAlpha(ImageReader reader) throws IOException {
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (metadata == null || !PNG_METADATA.equals(metadata.getNativeMetadataFormatName())) {
            return false;
        }
        for (Node n = metadata.getAsTree(PNG_METADATA).getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals("IHDR")) {
                Node colourType = n.getAttributes().getNamedItem("colorType");
                return colourType != null && colourType.getNodeValue().equals("GrayAlpha");
            }
        }
        return false;
    }

    /**
     * Refuses, from the header alone and before decoding, an image whose decoded pixels (up to 8 bytes each in the
     * reader's image, plus 4 bytes per channel as floats) would take more than half of what the Java heap may
     * grow to: a 20000 x 20000 photo, or a corrupt header announcing billions of pixels.
     */
    private static void checkSize(Object file, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new ModelException(file + ": the image header gives a size of " + width + " x " + height);
        }
        double needed = (double) width * height * (8 + 4 * 3);
        HeapBudget.require(file, "the image is " + width + " x " + height + " pixels; decoding it", needed,
                "resize it first");
        if ((long) width * height > Integer.MAX_VALUE) { // no array holds it, whatever the heap
            throw new ModelException(file + ": the image is " + width + " x " + height + " pixels, more than one array "
                    + "can hold (2^31 - 1); resize it first");
        }
    }

    /** Converts to floats in one pass; grey comes from the stored integer samples in double precision. */
    private static FloatImage convert(Stored stored, boolean color) {
        BufferedImage img = stored.pixels();
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int bits = plainSampleBits(cm);
        // plain grey/RGB components: read the stored samples; 8-bit CMYK: converted as PIL does; packed RGB of up
        // to 8 bits a sample (16-bit BMP): widened to 8 bits as PIL does; anything else (palette): let Java convert
        // to 8-bit sRGB
        boolean plain = bits > 0;
        boolean cmyk = !plain && isCmykBytes(cm);
        int[] packed = plain || cmyk ? null : packedSampleBits(cm);
        int[] samples = cmyk || packed != null ? new int[w * raster.getNumBands()] : null;
        int srcChannels = plain ? cm.getNumColorComponents() : 3;
        int stride = plain ? raster.getNumBands() : 3;
        // a 16-bit colour file is read by its high bytes: PIL has no 16-bit RGB mode and keeps the high byte of
        // each sample (so caffe.io.load_image sees 8 bits), as cv::imread (Caffe's C++ loader) does; so is a 16-bit
        // grey PNG with stored alpha (PIL's RGBA from rawmode LA;16B); plain 16-bit grey stays 16-bit (PIL's mode
        // I;16, which skimage divides by 65535)
        int drop = plain && (srcChannels == 3 || stored.pngGreyAlpha()) && bits == 16 ? 8 : 0;
        double max = plain ? (1 << (bits - drop)) - 1 : 255;
        int outChannels = color ? 3 : 1;
        float[] out = new float[w * h * outChannels];
        int[] row = new int[w * stride];
        int[] argb = plain || cmyk || packed != null ? null : new int[w];
        for (int y = 0; y < h; y++) {
            if (plain) {
                raster.getPixels(0, y, w, 1, row);
                if (drop > 0) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] >>= drop;
                    }
                }
            } else if (cmyk) {
                raster.getPixels(0, y, w, 1, samples);
                int bands = raster.getNumBands();
                for (int x = 0; x < w; x++) {
                    int k = samples[x * bands + 3];
                    for (int c = 0; c < 3; c++) {
                        row[3 * x + c] = cmykToRgb(samples[x * bands + c], k);
                    }
                }
            } else if (packed != null) {
                raster.getPixels(0, y, w, 1, samples);
                int bands = raster.getNumBands();
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        row[3 * x + c] = samples[x * bands + c] * 255 / ((1 << packed[c]) - 1);
                    }
                }
            } else {
                img.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    row[3 * x] = (argb[x] >> 16) & 0xff;
                    row[3 * x + 1] = (argb[x] >> 8) & 0xff;
                    row[3 * x + 2] = argb[x] & 0xff;
                }
            }
            for (int x = 0; x < w; x++) {
                int s = x * stride;
                int o = (y * w + x) * outChannels;
                if (srcChannels == 1) {
                    float v = (float) (row[s] / max);
                    for (int c = 0; c < outChannels; c++) {
                        out[o + c] = v;
                    }
                } else if (color) {
                    out[o] = (float) (row[s] / max);
                    out[o + 1] = (float) (row[s + 1] / max);
                    out[o + 2] = (float) (row[s + 2] / max);
                } else {
                    out[o] = (float) ((RED * row[s] + GREEN * row[s + 1] + BLUE * row[s + 2]) / max);
                }
            }
        }
        return new FloatImage(h, w, outChannels, out, stored.orientation());
    }

    /**
     * Whether the image holds 8-bit CMYK samples as stored (the JDK's TIFF reader gives a CMYK TIFF so; the JPEG
     * reader converts CMYK and YCCK itself). Java's own conversion goes through a CMYK colour profile and gave up to
     * 255 codes off what PIL and OpenCV give.
     */
    private static boolean isCmykBytes(ColorModel cm) {
        if (!(cm instanceof ComponentColorModel) || cm.getColorSpace().getType() != ColorSpace.TYPE_CMYK
                || cm.getNumColorComponents() != 4) {
            return false;
        }
        for (int s : cm.getComponentSize()) {
            if (s != 8) {
                return false;
            }
        }
        return true;
    }

    /**
     * The RGB image of a 4-component JPEG without an Adobe segment, from its samples as stored: libjpeg gives them
     * unconverted (CMYK), and Pillow takes every 4-component JPEG as Adobe's inverted CMYK (rawmode CMYK;I) before
     * {@code cmyk2rgb}, so the ink is 255 minus the sample.
     */
    private static BufferedImage invertedCmyk(Raster stored) {
        int w = stored.getWidth();
        BufferedImage rgb = new BufferedImage(w, stored.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        int[] cmyk = new int[w * 4];
        int[] row = new int[w * 3];
        for (int y = 0; y < stored.getHeight(); y++) {
            stored.getPixels(stored.getMinX(), stored.getMinY() + y, w, 1, cmyk);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    row[3 * x + c] = cmykToRgb(255 - cmyk[4 * x + c], 255 - cmyk[4 * x + 3]);
                }
            }
            rgb.getRaster().setPixels(0, y, w, 1, row);
        }
        return rgb;
    }

    /**
     * One RGB sample from an ink amount and black, as Pillow's {@code cmyk2rgb} (libImaging/Convert.c) computes it,
     * which {@code caffe.io.load_image} gets through skimage: {@code (255 - k) - ink * (255 - k) / 255}, rounded as
     * Pillow's MULDIV255. No colour management (OpenCV's libtiff path does the same within a code).
     */
    private static int cmykToRgb(int ink, int k) {
        int notBlack = 255 - k;
        int t = ink * notBlack + 128;
        return notBlack - (((t >> 8) + t) >> 8);
    }

    /**
     * The red, green and blue sample sizes of packed RGB pixels (a {@link DirectColorModel}, e.g. a 16-bit BMP's
     * 5-5-5 or 5-6-5) of at most 8 bits each, else null. Pillow widens such a sample {@code v} of {@code b} bits to
     * {@code v * 255 / (2^b - 1)}, rounded down (Unpack.c, BGR;15 and BGR;16); Java's {@code getRGB} rounds to
     * nearest, a code higher for about half the levels.
     */
    private static int[] packedSampleBits(ColorModel cm) {
        if (!(cm instanceof DirectColorModel) || cm.getNumColorComponents() != 3) {
            return null;
        }
        int[] sizes = cm.getComponentSize();
        for (int c = 0; c < 3; c++) {
            if (sizes[c] < 1 || sizes[c] > 8) {
                return null;
            }
        }
        return sizes;
    }

    /** Bits per sample when the image is plain grey or RGB components (optionally with alpha), else 0. */
    private static int plainSampleBits(ColorModel cm) {
        if (!(cm instanceof ComponentColorModel)) {
            return 0;
        }
        int type = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        if (!(type == ColorSpace.TYPE_GRAY && colours == 1 || type == ColorSpace.TYPE_RGB && colours == 3)) {
            return 0;
        }
        int[] sizes = cm.getComponentSize();
        for (int s : sizes) {
            if (s != sizes[0] || s < 1 || s > 16) {
                return 0;
            }
        }
        return sizes[0];
    }
}
