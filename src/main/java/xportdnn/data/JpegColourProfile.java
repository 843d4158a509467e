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
 * Keeps a JPEG's embedded colour profile (its APP2 ICC_PROFILE segments) from the decoder. The TwelveMonkeys reader
 * converts a JPEG whose profile is not sRGB (a camera's Adobe RGB, a phone's Display P3, a CMYK press profile) to
 * sRGB through that profile, up to 70 codes away from the stored samples; Pillow, so {@code caffe.io.load_image},
 * and {@code cv::imread} ignore the profile and give the samples as stored. Without the segments the reader decodes
 * as they do.
 */
final class JpegColourProfile {

    private static final int SOI = 0xFFD8;
    private static final int APP2 = 0xE2;
    private static final int SOS = 0xDA;
    private static final byte[] ICC = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);

    private JpegColourProfile() {
    }

    /**
     * {@code in} itself, at its start, when it is no JPEG or holds no profile; else a stream over its bytes without
     * the profile's segments (read into memory: the file once, the pixels from memory).
     */
    static ImageInputStream withoutProfile(ImageInputStream in) throws IOException {
        List<long[]> segments = profileSegments(in);
        if (segments.isEmpty()) {
            return in;
        }
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        long at = 0;
        in.seek(0);
        for (long[] s : segments) {
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

    private static void copy(ImageInputStream in, ByteArrayOutputStream out, byte[] buffer, long count) throws IOException {
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

    /** Offset and length of each ICC_PROFILE segment before the scan; the stream is left at its start. */
    private static List<long[]> profileSegments(ImageInputStream in) throws IOException {
        List<long[]> found = new ArrayList<>();
        ByteOrder order = in.getByteOrder();
        in.mark();
        try {
            in.setByteOrder(ByteOrder.BIG_ENDIAN);
            if (in.readUnsignedShort() != SOI) {
                return found;
            }
            while (in.readUnsignedByte() == 0xFF) {
                long start = in.getStreamPosition() - 1;
                int type = in.readUnsignedByte();
                if (type == SOS || type == 0xD9 || type == 0xFF) {
                    break;
                }
                int length = in.readUnsignedShort();
                if (type == APP2 && length >= 2 + ICC.length && startsWithIcc(in)) {
                    found.add(new long[] {start, 2 + length});
                }
                in.seek(start + 2 + length);
            }
            return found;
        } catch (IOException e) {
            return found; // a header cut short: the decoder says what is wrong with the file
        } finally {
            in.reset();
            in.setByteOrder(order);
        }
    }

    private static boolean startsWithIcc(ImageInputStream in) throws IOException {
        for (byte b : ICC) {
            if (in.readByte() != b) {
                return false;
            }
        }
        return true;
    }
}
