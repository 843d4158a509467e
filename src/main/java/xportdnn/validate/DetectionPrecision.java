package xportdnn.validate;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A detector's average precision against the float net, accumulated over images: the float detections above
 * {@link DetectionAgreement#CONFIDENCE} stand as the ground truth, and every fixed-point detection the
 * DetectionOutput returns, at any confidence, is ranked by its confidence and counted a hit when it matches a float
 * detection ({@link DetectionAgreement#assign}: same label, IoU at least {@link DetectionAgreement#IOU}, most
 * confident first per image). The average precision is the area under the precision-recall curve with precision
 * made non-increasing (PASCAL VOC's all-point interpolation), so unlike a count at one confidence threshold it does
 * not jump when a detection's confidence crosses it. Two shards' precisions {@link #merge} exactly.
 */
public final class DetectionPrecision implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Float detections, the ground truth. */
    private long references;
    /** Per ranked fixed-point detection: its confidence, and whether it matched. */
    private float[] confidences = new float[64];
    private boolean[] hits = new boolean[64];
    private int count;

    /** Adds one image's DetectionOutput rows from both nets (padding rows of confidence 0 are ignored). */
    public void add(float[] floatRows, float[] fixedRows) {
        add(DetectionAgreement.boxes(floatRows), fixedRows);
    }

    /** As {@link #add(float[], float[])} with the float detections already read. */
    void add(List<DetectionAgreement.Box> reference, float[] fixedRows) {
        List<DetectionAgreement.Box> ordered = DetectionAgreement.mostConfidentFirst(
                DetectionAgreement.boxes(fixedRows, DetectionAgreement.PADDING));
        int[] assigned = DetectionAgreement.assign(reference, ordered);
        references += reference.size();
        for (int c = 0; c < ordered.size(); c++) {
            append(ordered.get(c).confidence(), assigned[c] >= 0);
        }
    }

    private void append(float confidence, boolean hit) {
        if (count == confidences.length) {
            confidences = Arrays.copyOf(confidences, 2 * count);
            hits = Arrays.copyOf(hits, 2 * count);
        }
        confidences[count] = confidence;
        hits[count] = hit;
        count++;
    }

    public void merge(DetectionPrecision o) {
        references += o.references;
        for (int i = 0; i < o.count; i++) {
            append(o.confidences[i], o.hits[i]);
        }
    }

    /**
     * The average precision: per float detection found, the best precision at that recall or beyond, averaged
     * over all float detections (one not found adds 0). Detections of equal confidence rank misses first, so the
     * order the images came in does not matter. NaN without float detections.
     */
    public double averagePrecision() {
        if (references == 0) {
            return Double.NaN;
        }
        Integer[] rank = new Integer[count];
        for (int i = 0; i < count; i++) {
            rank[i] = i;
        }
        Arrays.sort(rank, (a, b) -> confidences[a] != confidences[b] ? Float.compare(confidences[b], confidences[a])
                : Boolean.compare(hits[a], hits[b]));
        double[] precision = new double[count];
        int found = 0;
        for (int i = 0; i < count; i++) {
            found += hits[rank[i]] ? 1 : 0;
            precision[i] = found / (double) (i + 1);
        }
        double sum = 0;
        double best = 0;
        for (int i = count - 1; i >= 0; i--) { // the best precision at this rank or beyond
            best = Math.max(best, precision[i]);
            if (hits[rank[i]]) {
                sum += best;
            }
        }
        return sum / references;
    }
}
