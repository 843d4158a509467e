package xportdnn.data;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.EOFException;
import java.io.IOException;
import javax.imageio.stream.ImageInputStream;
import xportdnn.model.ModelException;

/**
 * A PGM or PPM file (P2, P3, P5, P6) read as Pillow's PpmImagePlugin reads it (its {@code ppm_plain} and
 * {@code ppm} decoders): each sample {@code v} of maxval {@code m} becomes {@code round(v / m * out)}, rounded half
 * to even as Python's {@code round}, where {@code out} is 65535 for grey with a maxval above 255 (Pillow's mode I)
 * and 255 otherwise (grey L, and RGB whatever its maxval); a maxval of 255 (and 65535 for grey) keeps the samples
 * as stored. A binary sample above the maxval is clamped to {@code out}, as Pillow clamps it; an ASCII one is
 * refused, as Pillow refuses it ({@code Channel value too large for this mode}). The JDK has no PNM reader, and the
 * TwelveMonkeys one scales a maxval other than 255 or 65535 on signed bytes and shorts (a sample above half the
 * maxval wraps) and takes any ASCII sample. P1, P4 (bitmaps) and PAM are left to it.
 *
 * @param width  pixels per row
 * @param height rows
 * @param bands  1 (grey) or 3 (RGB)
 * @param maxval the header's largest sample, 1 to 65535
 * @param ascii  whether the samples are decimal text (P2, P3) rather than binary (P5, P6)
 */
record PnmImage(int width, int height, int bands, int maxval, boolean ascii) {

    /** Pillow's limit on a header or sample token's length. */
    private static final int TOKEN_CHARACTERS = 10;

    /**
     * The header of the PGM or PPM file {@code in} holds, the stream left at its first sample; null, the stream
     * where it was, when it holds no P2, P3, P5 or P6 file.
     */
    static PnmImage header(Object file, ImageInputStream in) throws IOException {
        in.mark();
        int p = in.read();
        int kind = in.read();
        int after = in.read();
        if (p != 'P' || (kind != '2' && kind != '3' && kind != '5' && kind != '6') || !whitespace(after)) {
            in.reset();
            return null;
        }
        int width = headerNumber(file, in, "width");
        int height = headerNumber(file, in, "height");
        int maxval = headerNumber(file, in, "maxval");
        if (maxval == 0 || maxval > 65535) {
            throw new ModelException(file + ": cannot decode image: maxval " + maxval + " in its header; PGM and PPM "
                    + "take 1 to 65535");
        }
        return new PnmImage(width, height, kind == '3' || kind == '6' ? 3 : 1, maxval, kind == '2' || kind == '3');
    }

    /** The pixels, as Pillow gives them: 8-bit codes, or 16-bit for grey with a maxval above 255. */
    BufferedImage pixels(Object file, ImageInputStream in) throws IOException {
        int out = bands == 1 && maxval > 255 ? 65535 : 255;
        int[] codes = new int[width * bands];
        WritableRaster raster = Raster.createInterleavedRaster(out > 255 ? DataBuffer.TYPE_USHORT
                : DataBuffer.TYPE_BYTE, width, height, bands, null);
        long read = 0;
        try {
            for (int y = 0; y < height; y++) {
                for (int i = 0; i < codes.length; i++) {
                    // binary: a byte each up to maxval 255, else two, big-endian
                    int v = ascii ? decimalSample(file, in, read++)
                            : maxval < 256 ? in.readUnsignedByte() : in.readUnsignedShort();
                    codes[i] = code(v, out);
                }
                raster.setPixels(0, y, width, 1, codes);
            }
        } catch (EOFException e) {
            throw new ModelException(file + ": cannot decode image: the file ends before its " + width + " x "
                    + height + " pixels (a truncated " + (bands == 1 ? "PGM" : "PPM") + ")");
        }
        ColorSpace space = ColorSpace.getInstance(bands == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        ComponentColorModel model = new ComponentColorModel(space, false, false, Transparency.OPAQUE,
                raster.getTransferType());
        return new BufferedImage(model, raster, false, null);
    }

    /** Sample {@code v} as Pillow stores it: {@code min(out, round(v / maxval * out))}, half to even. */
    private int code(int v, int out) {
        if (maxval == out) {
            return v;
        }
        return (int) Math.min(out, Math.rint((double) v / maxval * out));
    }

    /** Sample {@code index} (0-based, in file order) of an ASCII file: refused above the maxval, as Pillow does. */
    private int decimalSample(Object file, ImageInputStream in, long index) throws IOException {
        String token = token(file, in, "sample");
        if (token == null) {
            throw new EOFException();
        }
        long perRow = (long) width * bands;
        String where = "the sample at row " + (index / perRow + 1) + ", value " + (index % perRow + 1);
        long v = decimal(file, token, where);
        if (v > maxval) {
            throw new ModelException(file + ": cannot decode image: " + where + " is " + v + ", above the header's "
                    + "maxval " + maxval + " (Pillow refuses the file: Channel value too large for this mode)");
        }
        return (int) v;
    }

    private static int headerNumber(Object file, ImageInputStream in, String what) throws IOException {
        String token = token(file, in, what);
        if (token == null) {
            throw new ModelException(file + ": cannot decode image: the file ends inside its PNM header (no " + what
                    + ")");
        }
        long v = decimal(file, token, "the header's " + what);
        if (v > Integer.MAX_VALUE) {
            throw new ModelException(file + ": the image header gives a " + what + " of " + v);
        }
        return (int) v;
    }

    /**
     * The next token: whitespace skipped, a {@code #} comment skipped up to the end of its line, at most
     * {@link #TOKEN_CHARACTERS} characters, ended by the whitespace byte after it (read too: a binary file's samples
     * start after the single whitespace that ends its maxval). Null at the end of the file.
     */
    private static String token(Object file, ImageInputStream in, String what) throws IOException {
        StringBuilder token = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0 || (whitespace(c) && !token.isEmpty())) {
                return token.isEmpty() ? null : token.toString();
            }
            if (c == '#') {
                do {
                    c = in.read();
                } while (c >= 0 && c != '\n' && c != '\r');
            } else if (!whitespace(c)) {
                if (token.length() == TOKEN_CHARACTERS) {
                    throw new ModelException(file + ": cannot decode image: " + what + " '" + token + (char) c
                            + "...' is longer than " + TOKEN_CHARACTERS + " characters");
                }
                token.append((char) c);
            }
        }
    }

    /** {@code token} as a non-negative decimal number, or the file refused naming {@code what}. */
    private static long decimal(Object file, String token, String what) {
        if (!token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ModelException(file + ": cannot decode image: " + what + " is '" + token
                    + "', not a decimal number");
        }
        return Long.parseLong(token);
    }

    /** Whitespace as Pillow's PPM plugin counts it: space, tab, LF, VT, FF, CR. */
    private static boolean whitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
