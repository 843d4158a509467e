package xportdnn.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import xportdnn.data.ClassNames;
import xportdnn.model.Blob;
import xportdnn.validate.DetectionAgreement;
import xportdnn.validate.Prediction;

/** The text {@code infer} prints for one input: a classifier's top classes, or a summary of any other output. */
final class InferReport {

    /**
     * Detections at or below this confidence are not listed (SSD's usual display threshold; validate and compare
     * count detections above it too).
     */
    static final float DETECTION_THRESHOLD = DetectionAgreement.CONFIDENCE;

    /** A DetectionOutput row: image, label, confidence, xmin, ymin, xmax, ymax. */
    private static final int DETECTION_ROW = DetectionAgreement.ROW;

    private InferReport() {
    }

    /** The top classes as a table: probability, class id and, with {@code names}, the class name. */
    static String topClasses(Prediction prediction, ClassNames names) {
        TextTable table = names == null ? new TextTable(">probability", ">class")
                : new TextTable(">probability", ">class", "name");
        for (int i = 0; i < prediction.classes().length; i++) {
            int c = prediction.classes()[i];
            String p = String.format(Locale.ROOT, "%.4f", prediction.probabilities()[i]);
            if (names == null) {
                table.add(p, Integer.toString(c));
            } else {
                table.add(p, Integer.toString(c), names.name(c));
            }
        }
        return table.render();
    }

    /** Shape, min, max and mean of a blob's values. */
    static String summary(String name, int[] shape, float[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        return "output " + name + ": shape " + Blob.describe(shape) + ", min " + number(min) + ", max " + number(max)
                + ", mean " + number(values.length == 0 ? 0 : sum / values.length) + "\n";
    }

    /** Six significant digits without trailing zeros: 0, 1, 0.119824, -123. */
    private static String number(double v) {
        return Double.isFinite(v) ? new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString()
                : Double.toString(v);
    }

    /**
     * The detections above {@link #DETECTION_THRESHOLD} of a DetectionOutput blob, in its row order; with the
     * original image's size (else 0), also the box in that image's pixels.
     */
    static String detections(float[] rows, int imageWidth, int imageHeight) {
        boolean pixels = imageWidth > 0 && imageHeight > 0;
        TextTable table = pixels
                ? new TextTable(">image", ">label", ">confidence", ">xmin", ">ymin", ">xmax", ">ymax", ">x1_px",
                        ">y1_px", ">x2_px", ">y2_px")
                : new TextTable(">image", ">label", ">confidence", ">xmin", ">ymin", ">xmax", ">ymax");
        int count = 0;
        for (int r = 0; r + DETECTION_ROW <= rows.length; r += DETECTION_ROW) {
            if (!(rows[r + 2] > DETECTION_THRESHOLD)) {
                continue;
            }
            count++;
            String[] cells = new String[pixels ? 11 : 7];
            cells[0] = Integer.toString((int) rows[r]);
            cells[1] = Integer.toString((int) rows[r + 1]);
            for (int i = 2; i < DETECTION_ROW; i++) {
                cells[i] = String.format(Locale.ROOT, "%.4f", rows[r + i]);
            }
            if (pixels) {
                int[] size = {imageWidth, imageHeight, imageWidth, imageHeight};
                for (int i = 0; i < 4; i++) {
                    cells[DETECTION_ROW + i] = String.format(Locale.ROOT, "%.1f", rows[r + 3 + i] * size[i]);
                }
            }
            table.add(cells);
        }
        String head = count + " detection" + (count == 1 ? "" : "s") + " with confidence > " + DETECTION_THRESHOLD
                + (count == 0 ? "" : ":") + "\n";
        return count == 0 ? head : head + table.render();
    }
}
