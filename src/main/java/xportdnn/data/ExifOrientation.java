package xportdnn.data;

import java.io.IOException;
import java.nio.ByteOrder;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF Orientation tag of a JPEG file (1 to 8; 1 when the file has none): how a viewer turns the stored pixels
 * upright. Phone cameras store the sensor's rows and say "rotate 90" here. Read from the header segments before
 * the pixels (the APP1 segment's first IFD), on the stream the decoder then reads from its start, so a file is
 * neither read nor decoded twice.
 */
final class ExifOrientation {

    /** The pixels as stored are upright. */
    static final int UPRIGHT = 1;

    private static final int SOI = 0xFFD8;
    private static final int APP1 = 0xE1;
    private static final int SOS = 0xDA;
    private static final int ORIENTATION_TAG = 0x0112;
    private static final int SHORT = 3;

    private ExifOrientation() {
    }

    /**
     * The orientation of the JPEG {@code in} holds, or {@link #UPRIGHT} when it is no JPEG, has no EXIF block, or
     * the block does not parse (the decoder then says what is wrong with the file, if anything). The stream is left
     * where it was.
     */
    static int read(ImageInputStream in) {
        ByteOrder order = in.getByteOrder();
        in.mark();
        try {
            in.setByteOrder(ByteOrder.BIG_ENDIAN);
            return in.readUnsignedShort() == SOI ? segments(in) : UPRIGHT;
        } catch (IOException | RuntimeException e) {
            return UPRIGHT;
        } finally {
            try {
                in.reset();
            } catch (IOException e) {
                // the reader then fails on the stream and says so
            }
            in.setByteOrder(order);
        }
    }

    /** Walks the segments after SOI up to the scan, reading only an Exif APP1. */
    private static int segments(ImageInputStream in) throws IOException {
        while (true) {
            int marker = in.readUnsignedByte();
            if (marker != 0xFF) {
                return UPRIGHT;
            }
            int type = in.readUnsignedByte();
            while (type == 0xFF) { // fill bytes
                type = in.readUnsignedByte();
            }
            if (type == SOS || type == 0xD9) {
                return UPRIGHT;
            }
            int length = in.readUnsignedShort();
            long next = in.getStreamPosition() + length - 2;
            if (type == APP1 && length >= 8 && in.readInt() == 0x45786966 && in.readUnsignedShort() == 0) { // "Exif\0\0"
                return ifd0(in);
            }
            in.seek(next);
        }
    }

    /** The Orientation entry of the TIFF structure's first IFD, which starts at the stream's position. */
    private static int ifd0(ImageInputStream in) throws IOException {
        long tiff = in.getStreamPosition();
        int byteOrder = in.readUnsignedShort();
        if (byteOrder == 0x4949) { // "II"
            in.setByteOrder(ByteOrder.LITTLE_ENDIAN);
        } else if (byteOrder != 0x4D4D) { // "MM"
            return UPRIGHT;
        }
        if (in.readUnsignedShort() != 42) {
            return UPRIGHT;
        }
        in.seek(tiff + (in.readInt() & 0xFFFFFFFFL));
        int entries = in.readUnsignedShort();
        for (int i = 0; i < entries; i++) {
            int tag = in.readUnsignedShort();
            int type = in.readUnsignedShort();
            in.readInt(); // count
            int value = in.readUnsignedShort(); // a SHORT sits in the value field's first two bytes
            in.readUnsignedShort();
            if (tag == ORIENTATION_TAG) {
                return type == SHORT && value >= 1 && value <= 8 ? value : UPRIGHT;
            }
        }
        return UPRIGHT;
    }
}
