package xportdnn.validate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How far a fixed-point detector's boxes agree with the float net's, accumulated over images: the float
 * detections stand as the ground truth (no boxes are labelled), and each fixed-point detection is matched, most
 * confident first, to the unmatched float detection of the same label it overlaps most, if that overlap (IoU) is
 * at least {@value #IOU}, as a VOC-style evaluation matches detections to ground truth. Detections count above
 * {@value #CONFIDENCE} confidence, the threshold {@code infer} shows. The same images' fixed-point detections at any
 * confidence are ranked too ({@link #averagePrecision}). Two shards' agreements {@link #merge} exactly.
 */
public final class DetectionAgreement implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A detection counts when its confidence is above this. */
    public static final float CONFIDENCE = 0.5f;
    /** Every row of a DetectionOutput is a detection when its confidence is above this: it pads with zero rows. */
    static final float PADDING = 0f;
    /** A fixed-point detection matches a float one of the same label when their IoU is at least this. */
    public static final double IOU = 0.5;
    /** Values per row of an SSD DetectionOutput: image, label, confidence, xmin, ymin, xmax, ymax. */
    public static final int ROW = 7;

    /** One detection: label, confidence and corners (normalized to the image, as SSD writes them). */
    record Box(int label, float confidence, float xmin, float ymin, float xmax, float ymax) {

        double area() {
            return Math.max(0, xmax - xmin) * (double) Math.max(0, ymax - ymin);
        }

        /** Intersection over union, as SSD's JaccardOverlap computes it for normalized boxes. */
        double iou(Box o) {
            double w = Math.min(xmax, o.xmax) - Math.max(xmin, o.xmin);
            double h = Math.min(ymax, o.ymax) - Math.max(ymin, o.ymin);
            if (w <= 0 || h <= 0) {
                return 0;
            }
            double intersection = w * h;
            return intersection / (area() + o.area() - intersection);
        }
    }

    /** A matched pair: its overlap and the difference of the two confidences. */
    record Match(double iou, double confidenceGap) {
    }

    private long images;
    private long floatDetections;
    private long fixedDetections;
    private long matched;
    private double iouSum;
    private double confidenceGapSum;
    /** Images on which every float detection is matched and no fixed one is left over. */
    private long sameImages;
    /** The fixed-point detections at any confidence, ranked against the same float ones. */
    private final DetectionPrecision precision = new DetectionPrecision();

    /** Adds one image's DetectionOutput rows from both nets (padding rows of confidence 0 are ignored). */
    public void add(float[] floatRows, float[] fixedRows) {
        List<Box> reference = boxes(floatRows);
        List<Box> candidates = boxes(fixedRows);
        precision.add(reference, fixedRows);
        List<Match> matches = match(reference, candidates);
        images++;
        floatDetections += reference.size();
        fixedDetections += candidates.size();
        matched += matches.size();
        for (Match m : matches) {
            iouSum += m.iou();
            confidenceGapSum += Math.abs(m.confidenceGap());
        }
        if (matches.size() == reference.size() && matches.size() == candidates.size()) {
            sameImages++;
        }
    }

    /** How many of some DetectionOutput rows are detections above {@link #CONFIDENCE}. */
    public static long countConfident(float[] rows) {
        return boxes(rows).size();
    }

    /** The detections of some rows above {@link #CONFIDENCE}. */
    static List<Box> boxes(float[] rows) {
        return boxes(rows, CONFIDENCE);
    }

    /** The detections of some rows above {@code confidence} ({@link #PADDING}: every row but the padding). */
    static List<Box> boxes(float[] rows, float confidence) {
        List<Box> boxes = new ArrayList<>();
        for (int r = 0; r + ROW <= rows.length; r += ROW) {
            if (rows[r + 2] > confidence) {
                boxes.add(new Box(Math.round(rows[r + 1]), rows[r + 2], rows[r + 3], rows[r + 4], rows[r + 5],
                        rows[r + 6]));
            }
        }
        return boxes;
    }

    /**
     * Matches {@code candidates}, most confident first, each to the unmatched {@code reference} box of its label
     * with the largest IoU of at least {@link #IOU}.
     */
    static List<Match> match(List<Box> reference, List<Box> candidates) {
        List<Box> ordered = mostConfidentFirst(candidates);
        int[] assigned = assign(reference, ordered);
        List<Match> matches = new ArrayList<>();
        for (int c = 0; c < ordered.size(); c++) {
            if (assigned[c] >= 0) {
                Box r = reference.get(assigned[c]);
                matches.add(new Match(r.iou(ordered.get(c)), ordered.get(c).confidence() - r.confidence()));
            }
        }
        return matches;
    }

    static List<Box> mostConfidentFirst(List<Box> boxes) {
        List<Box> ordered = new ArrayList<>(boxes);
        ordered.sort(Comparator.comparingDouble((Box b) -> -b.confidence()));
        return ordered;
    }

    /**
     * Per box of {@code ordered} (most confident first), the index of the {@code reference} box it matches: the
     * unmatched one of its label with the largest IoU of at least {@link #IOU}; -1 for none.
     */
    static int[] assign(List<Box> reference, List<Box> ordered) {
        boolean[] taken = new boolean[reference.size()];
        int[] assigned = new int[ordered.size()];
        for (int c = 0; c < ordered.size(); c++) {
            Box candidate = ordered.get(c);
            int best = -1;
            double bestIou = IOU;
            for (int i = 0; i < reference.size(); i++) {
                Box r = reference.get(i);
                double iou = taken[i] || r.label() != candidate.label() ? -1 : r.iou(candidate);
                if (iou >= bestIou && (best < 0 || iou > bestIou)) {
                    best = i;
                    bestIou = iou;
                }
            }
            if (best >= 0) {
                taken[best] = true;
            }
            assigned[c] = best;
        }
        return assigned;
    }

    public void merge(DetectionAgreement o) {
        images += o.images;
        floatDetections += o.floatDetections;
        fixedDetections += o.fixedDetections;
        matched += o.matched;
        iouSum += o.iouSum;
        confidenceGapSum += o.confidenceGapSum;
        sameImages += o.sameImages;
        precision.merge(o.precision);
    }

    public long floatDetections() {
        return floatDetections;
    }

    public long fixedDetections() {
        return fixedDetections;
    }

    public long matched() {
        return matched;
    }

    /** Images whose fixed-point detections match the float ones one to one. */
    public long sameImages() {
        return sameImages;
    }

    public long images() {
        return images;
    }

    /** The share of float detections the fixed-point net finds (NaN without float detections). */
    public double recall() {
        return floatDetections == 0 ? Double.NaN : matched / (double) floatDetections;
    }

    /** The share of fixed-point detections that match a float one (NaN without fixed-point detections). */
    public double precision() {
        return fixedDetections == 0 ? Double.NaN : matched / (double) fixedDetections;
    }

    /** The harmonic mean of recall and precision: 1 when the two nets find the same boxes (NaN without any). */
    public double f1() {
        long both = floatDetections + fixedDetections;
        return both == 0 ? Double.NaN : 2.0 * matched / both;
    }

    /** The average precision against float of the fixed-point detections at any confidence. */
    public double averagePrecision() {
        return precision.averagePrecision();
    }

    /** The mean IoU of the matched pairs (NaN without any). */
    public double meanIoU() {
        return matched == 0 ? Double.NaN : iouSum / matched;
    }

    /** The mean absolute difference of the matched pairs' confidences (NaN without any). */
    public double meanConfidenceGap() {
        return matched == 0 ? Double.NaN : confidenceGapSum / matched;
    }
}
