package xportdnn.validate;

import java.util.Locale;

/**
 * The detections table of the reference files ({@code reference/yufacedetectnet_v1/predictions.tsv}): a header
 * line, then one tab-separated line per detection: image name, its detection number in the image, label,
 * confidence and normalized corners with 6 decimals, and the corners in the picture's pixels with 1 decimal.
 */
public final class DetectionsTsv {

    public static final String HEADER = "image\tdet\tlabel\tconfidence\txmin\tymin\txmax\tymax\tx1_px\ty1_px\tx2_px"
            + "\ty2_px";

    private final StringBuilder text = new StringBuilder(HEADER).append('\n');

    /** Adds every detection of one image. */
    public void add(String image, Detector.Detections detections) {
        float[] rows = detections.rows();
        int[] size = {detections.width(), detections.height(), detections.width(), detections.height()};
        for (int r = 0, det = 0; r + DetectionAgreement.ROW <= rows.length; r += DetectionAgreement.ROW, det++) {
            text.append(image).append('\t').append(det).append('\t').append(Math.round(rows[r + 1]));
            for (int i = 2; i < DetectionAgreement.ROW; i++) {
                text.append('\t').append(String.format(Locale.ROOT, "%.6f", rows[r + i]));
            }
            for (int i = 0; i < 4; i++) {
                text.append('\t').append(String.format(Locale.ROOT, "%.1f", rows[r + 3 + i] * size[i]));
            }
            text.append('\n');
        }
    }

    /** The whole table so far. */
    public String text() {
        return text.toString();
    }
}
