package xportdnn.data;

import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;

/**
 * What a reader warns of while it decodes, where a warning means the picture is not the file's. The JDK's JPEG
 * reader (which the TwelveMonkeys one wraps) decodes a JPEG cut short without an error: it warns that the end
 * marker is missing ("Truncated File - Missing EOI marker") and, when the cut falls inside the compressed data,
 * that the data ended early (libjpeg's JWRN_HIT_MARKER, "Corrupt JPEG data: premature end of data segment"), and
 * paints the rest of the picture grey. Pillow, so {@code caffe.io.load_image}, refuses such a file ("image file is
 * truncated"); a baseline file whose data is whole and only the end marker is missing it reads, and so does
 * xportdnn.
 */
final class ReadWarnings implements IIOReadWarningListener {

    private static final String NO_END_MARKER = "missing eoi marker";
    private static final String DATA_ENDED = "premature end of data segment";

    private boolean noEndMarker;
    private boolean dataEnded;

    /** Listens to {@code reader}'s warnings. */
    ReadWarnings(ImageReader reader) {
        reader.addIIOReadWarningListener(this);
    }

    @Override
    public void warningOccurred(ImageReader source, String warning) {
        String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
        noEndMarker |= w.contains(NO_END_MARKER);
        dataEnded |= w.contains(DATA_ENDED);
    }

    /**
     * Why the decoded picture is not the file's, or null: the file ends inside the image data, or a progressive
     * JPEG ({@code progressive}) lacks its end marker. libjpeg takes in every scan of a progressive file before it
     * gives a row, up to the end marker, so Pillow refuses one cut short even between two scans, where the JDK's
     * decoder gives the coarser picture of the scans it read with the first warning only.
     */
    String damage(boolean progressive) {
        if (noEndMarker && (dataEnded || progressive)) {
            return "the file ends " + (dataEnded ? "inside the image data" : "before its end marker")
                    + " (a truncated " + (progressive ? "progressive " : "") + "JPEG: a copy or download cut short)";
        }
        return null;
    }
}
