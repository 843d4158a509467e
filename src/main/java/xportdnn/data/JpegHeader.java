package xportdnn.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * What the segments before a JPEG's first scan say that the decoder would get wrong: whether the frame is
 * progressive (see {@link ReadWarnings}), whether four components are CMYK, and where its embedded colour profile
 * (APP2 ICC_PROFILE segments) lies, which is kept from the decoder. The TwelveMonkeys reader converts a JPEG whose profile is not sRGB (a camera's
 * Adobe RGB, a phone's Display P3, a CMYK press profile) to sRGB through that profile, up to 70 codes away from the
 * stored samples; Pillow, so {@code caffe.io.load_image}, and {@code cv::imread} ignore the profile and give the
 * samples as stored. Without the segments the reader decodes as they do.
 *
 * @param progressive     whether the frame is progressive (SOF2, SOF6, SOF10 or SOF14)
 * @param components      the frame's colour components (0 when no frame header was read)
 * @param adobe           whether an Adobe APP14 segment says how the components are coded
 * @param profileSegments offset and length of each ICC_PROFILE segment
 */
record JpegHeader(boolean progressive, int components, boolean adobe, List<long[]> profileSegments) {

    private static final int SOI = 0xFFD8;
    private static final int APP2 = 0xE2;
    private static final int APP14 = 0xEE;
    private static final int SOS = 0xDA;
    private static final byte[] ICC = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ADOBE = "Adobe".getBytes(StandardCharsets.US_ASCII);

    /** No JPEG, or a header that says nothing of the above. */
    private static final JpegHeader NONE = new JpegHeader(false, 0, false, List.of());

    /**
     * The header of the JPEG {@code in} holds ({@link #NONE} for another format); the stream is left at its start.
     * A header cut short gives what was read: the decoder then says what is wrong with the file.
     */
    static JpegHeader read(ImageInputStream in) {
        List<long[]> profile = new ArrayList<>();
        boolean progressive = false;
        int components = 0;
        boolean adobe = false;
        ByteOrder order = in.getByteOrder();
        in.mark();
        try {
            in.setByteOrder(ByteOrder.BIG_ENDIAN);
            if (in.readUnsignedShort() != SOI) {
                return NONE;
            }
            while (in.readUnsignedByte() == 0xFF) {
                long start = in.getStreamPosition() - 1;
                int type = in.readUnsignedByte();
                if (type == SOS || type == 0xD9 || type == 0xFF) {
                    break;
                }
                progressive |= type == 0xC2 || type == 0xC6 || type == 0xCA || type == 0xCE;
                int length = in.readUnsignedShort();
                if (type == APP2 && length >= 2 + ICC.length && startsWith(in, ICC)) {
                    profile.add(new long[] {start, 2 + length});
                } else if (type == APP14 && length >= 2 + ADOBE.length && startsWith(in, ADOBE)) {
                    adobe = true;
                } else if (type >= 0xC0 && type <= 0xCF && type != 0xC4 && type != 0xC8 && type != 0xCC) {
                    in.skipBytes(5); // precision, height, width
                    components = in.readUnsignedByte();
                }
                in.seek(start + 2 + length);
            }
        } catch (IOException e) {
            // what was read stands
        } finally {
            try {
                in.reset();
            } catch (IOException e) {
                // the reader then fails on the stream and says so
            }
            in.setByteOrder(order);
        }
        return new JpegHeader(progressive, components, adobe, profile);
    }

    /**
     * Whether the JPEG has four components and no Adobe segment: libjpeg, so Pillow, takes them as CMYK as stored,
     * where the TwelveMonkeys reader takes component ids 1 to 4 as YCbCr and alpha (up to 255 codes off).
     */
    boolean cmykWithoutAdobeSegment() {
        return components == 4 && !adobe;
    }

    /**
     * {@code in} itself, at its start, when the JPEG holds no profile; else a stream over its bytes without the
     * profile's segments (read into memory: the file once, the pixels from memory).
     */
    ImageInputStream withoutProfile(ImageInputStream in) throws IOException {
        if (profileSegments.isEmpty()) {
            return in;
        }
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        long at = 0;
        in.seek(0);
        for (long[] s : profileSegments) {
            copy(in, kept, buffer, s[0] - at);
            in.skipBytes(s[1]);
            at = s[0] + s[1];
        }
        copy(in, kept, buffer, Long.MAX_VALUE);
        in.seek(0);
        return new Stripped(kept.toByteArray());
    }

    /** Closes a stream {@link #withoutProfile} made; the one it was given, its opener closes. */
    static void close(ImageInputStream in) {
        if (in instanceof Stripped) {
            try {
                in.close();
            } catch (IOException e) {
                // a stream over memory, closed once: nothing can fail
            }
        }
    }

    /** The bytes of a JPEG without its profile. */
    private static final class Stripped extends MemoryCacheImageInputStream {
        Stripped(byte[] bytes) {
            super(new ByteArrayInputStream(bytes));
        }
    }

    private static void copy(ImageInputStream in, ByteArrayOutputStream out, byte[] buffer, long count)
            throws IOException {
        long left = count;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static boolean startsWith(ImageInputStream in, byte[] name) throws IOException {
        for (byte b : name) {
            if (in.readByte() != b) {
                return false;
            }
        }
        return true;
    }
}
