package xportdnn.validate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a validation measured of an output that is not class scores (a detector's boxes, a dense score map, any
 * other values), as lines for the terminal and the report and as a JSON object; the same sentences in both.
 */
public final class OutputSummary {

    private OutputSummary() {
    }

    /** The lines for {@code output}'s kind; none for class scores, which have their accuracy table. */
    public static List<String> lines(ScoredOutput output, Validation v) {
        List<String> lines = new ArrayList<>();
        DetectionAgreement d = v.detections();
        DenseAgreement dense = v.dense();
        if (d != null) {
            lines.add(String.format(Locale.ROOT, "detections with confidence > %s: %d in float, %d in fixed point; "
                    + "%d matched (same label, IoU >= %s)", DetectionAgreement.CONFIDENCE, d.floatDetections(),
                    d.fixedDetections(), d.matched(), DetectionAgreement.IOU));
            lines.add(String.format(Locale.ROOT, "recall %s of the float detections, precision %s, F1 %s", percent(
                    d.recall()), percent(d.precision()), number(d.f1())));
            lines.add(String.format(Locale.ROOT, "average precision against float %s (every fixed-point detection "
                    + "ranked by confidence, the float ones above %s as the truth)",
                    number(d.averagePrecision()), DetectionAgreement.CONFIDENCE));
            if (d.matched() > 0) {
                lines.add(String.format(Locale.ROOT, "matched pairs: mean IoU %.3f, mean confidence difference %.4f",
                        d.meanIoU(), d.meanConfidenceGap()));
            }
            lines.add(String.format(Locale.ROOT, "images with the same detections in both: %d of %d",
                    d.sameImages(), d.images()));
        } else if (dense != null) {
            lines.add(String.format(Locale.ROOT, "top channel at each position of '%s' (%d channels; a segmentation's "
                    + "class of each pixel): the same in float and fixed point at %s of %d positions", output.blob(),
                    dense.channels(), percent(dense.agreement()), dense.positions()));
            lines.add(String.format(Locale.ROOT, "mean IoU against float over the %d channels on top somewhere: %s",
                    dense.presentChannels(), number(dense.meanIoU())));
        }
        Validation.LayerError e = v.outputError();
        if (!output.classifies() && e != null) {
            lines.add(String.format(Locale.ROOT, "output '%s' SQNR %s", output.blob(), sqnr(e)));
        }
        return lines;
    }

    /**
     * The one number that says how much of the float output a fixed-point run keeps, as a fraction: top-1
     * agreement for class scores, the detections' F1 for a detector, the top channel's agreement per position for a
     * dense output; NaN for other values (their SQNR says it).
     */
    public static double agreement(ScoredOutput output, Validation v) {
        return switch (output.kind()) {
            case CLASS_SCORES -> v.top1Agreement();
            case DETECTIONS -> v.detections() == null ? Double.NaN : v.detections().f1();
            case DENSE_SCORES -> v.dense() == null ? Double.NaN : v.dense().agreement();
            case VALUES -> Double.NaN;
        };
    }

    /** What {@link #agreement} measures for {@code output}'s kind, for a table's legend. */
    public static String agreementMeaning(ScoredOutput output) {
        return switch (output.kind()) {
            case CLASS_SCORES -> "the share of images whose fixed-point top-1 is float's";
            case DETECTIONS -> String.format(Locale.ROOT, "the F1 of the fixed-point detections against float's "
                    + "(confidence > %s, same label, IoU >= %s)", DetectionAgreement.CONFIDENCE,
                    DetectionAgreement.IOU);
            case DENSE_SCORES -> "the share of positions whose top channel is float's";
            case VALUES -> "none for these values; their SQNR says what is kept";
        };
    }

    /** The JSON object of {@code output}'s scores: its blob and kind, its SQNR and its kind's agreement. */
    public static Map<String, Object> json(ScoredOutput output, Validation v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("blob", output.blob());
        m.put("kind", output.kind().name().toLowerCase(Locale.ROOT));
        Validation.LayerError e = v.outputError();
        if (e != null) {
            m.put("sqnr_db", e.sqnrDb());
        }
        DetectionAgreement d = v.detections();
        if (d != null) {
            Map<String, Object> det = new LinkedHashMap<>();
            det.put("confidence_above", (double) DetectionAgreement.CONFIDENCE);
            det.put("iou_at_least", DetectionAgreement.IOU);
            det.put("float", d.floatDetections());
            det.put("fixed", d.fixedDetections());
            det.put("matched", d.matched());
            det.put("recall", d.recall());
            det.put("precision", d.precision());
            det.put("f1", d.f1());
            det.put("average_precision", d.averagePrecision());
            det.put("mean_iou", d.meanIoU());
            det.put("mean_confidence_difference", d.meanConfidenceGap());
            det.put("same_images", d.sameImages());
            m.put("detections", det);
        }
        DenseAgreement dense = v.dense();
        if (dense != null) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("channels", dense.channels());
            map.put("positions", dense.positions());
            map.put("top_channel_agreement", dense.agreement());
            map.put("mean_iou", dense.meanIoU());
            map.put("channels_present", dense.presentChannels());
            m.put("dense", map);
        }
        return m;
    }

    private static String sqnr(Validation.LayerError e) {
        return Double.isFinite(e.sqnrDb()) ? String.format(Locale.ROOT, "%.2f dB", e.sqnrDb()) : "exact";
    }

    private static String percent(double rate) {
        return Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * rate);
    }

    private static String number(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
    }
}
