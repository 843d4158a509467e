package xportdnn.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Matching a fixed-point detector's boxes to the float net's, checked on hand-computed cases. */
class DetectionAgreementTest {

    /** One DetectionOutput row: image 0, label, confidence, corners. */
    private static float[] row(int label, float confidence, float xmin, float ymin, float xmax, float ymax) {
        return new float[] {0, label, confidence, xmin, ymin, xmax, ymax};
    }

    private static float[] rows(float[]... rows) {
        float[] all = new float[rows.length * DetectionAgreement.ROW];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, all, i * DetectionAgreement.ROW, DetectionAgreement.ROW);
        }
        return all;
    }

    @Test
    void iouOfHandComputedBoxes() {
        DetectionAgreement.Box a = new DetectionAgreement.Box(1, 0.9f, 0, 0, 1, 1);
        // half of a overlapped by a box of the same size: 0.5 / (1 + 1 - 0.5)
        assertEquals(1 / 3.0, a.iou(new DetectionAgreement.Box(1, 0.9f, 0.5f, 0, 1.5f, 1)), 1e-6);
        // a quarter-size box inside: 0.25 / 1
        assertEquals(0.25, a.iou(new DetectionAgreement.Box(1, 0.9f, 0.25f, 0.25f, 0.75f, 0.75f)), 1e-6);
        assertEquals(0, a.iou(new DetectionAgreement.Box(1, 0.9f, 1, 0, 2, 1)), "touching edges do not overlap");
        assertEquals(1, a.iou(a), 1e-12);
    }

    @Test
    void matchesBySameLabelEnoughOverlapAndConfidenceAboveTheThreshold() {
        float[] floatRows = rows(
                row(1, 0.9f, 0, 0, 0.4f, 0.4f),
                row(1, 0.8f, 0.5f, 0.5f, 0.9f, 0.9f),
                row(2, 0.7f, 0.125f, 0.625f, 0.375f, 0.875f),
                row(1, 0.4f, 0.6f, 0, 0.9f, 0.3f), // below the confidence threshold: not a detection
                new float[7]); // padding
        float[] fixedRows = rows(
                row(1, 0.88f, 0, 0, 0.4f, 0.36f), // IoU 0.9 with the first
                row(2, 0.75f, 0.5f, 0.5f, 0.9f, 0.9f), // the second's box, another label: no match
                row(2, 0.72f, 0.125f, 0.625f, 0.375f, 0.75f), // IoU 0.5 with the third: a match at the bound
                row(1, 0.6f, 0.6f, 0, 0.9f, 0.3f)); // the float one is below 0.5: an extra detection
        DetectionAgreement d = new DetectionAgreement();
        d.add(floatRows, fixedRows);
        assertEquals(3, d.floatDetections());
        assertEquals(4, d.fixedDetections());
        assertEquals(2, d.matched());
        assertEquals(2 / 3.0, d.recall(), 1e-12);
        assertEquals(0.5, d.precision(), 1e-12);
        assertEquals(2.0 * 2 / 7, d.f1(), 1e-12);
        assertEquals((0.9 + 0.5) / 2, d.meanIoU(), 1e-5);
        assertEquals((0.02 + 0.02) / 2, d.meanConfidenceGap(), 1e-6);
        assertEquals(0, d.sameImages());
    }

    @Test
    void theMostConfidentFixedDetectionTakesTheBestOverlapFirst() {
        List<DetectionAgreement.Box> reference = List.of(new DetectionAgreement.Box(1, 0.9f, 0, 0, 1, 1),
                new DetectionAgreement.Box(1, 0.9f, 0.2f, 0, 1.2f, 1));
        // the second candidate overlaps the first reference box fully, the first candidate (more confident)
        // overlaps both, the second reference more: each ends matched to a reference box of its own
        List<DetectionAgreement.Box> candidates = List.of(new DetectionAgreement.Box(1, 0.6f, 0, 0, 1, 1),
                new DetectionAgreement.Box(1, 0.95f, 0.15f, 0, 1.15f, 1));
        List<DetectionAgreement.Match> matches = DetectionAgreement.match(reference, candidates);
        assertEquals(2, matches.size());
        // 0.95's IoU with the second reference: 0.95 / 1.05; then 0.6 takes the first exactly
        assertEquals(0.95 / 1.05, matches.get(0).iou(), 1e-6);
        assertEquals(1, matches.get(1).iou(), 1e-6);
    }

    @Test
    void identicalDetectionsAgreeFullyAndShardsMergeExactly() {
        float[] a = rows(row(1, 0.99f, 0.1f, 0.1f, 0.3f, 0.4f), row(1, 0.8f, 0.5f, 0.5f, 0.7f, 0.8f));
        float[] b = rows(row(1, 0.7f, 0.2f, 0.2f, 0.4f, 0.4f));
        float[] none = rows(new float[7]);
        DetectionAgreement whole = new DetectionAgreement();
        whole.add(a, a);
        whole.add(b, none);
        DetectionAgreement first = new DetectionAgreement();
        first.add(a, a);
        DetectionAgreement second = new DetectionAgreement();
        second.add(b, none);
        first.merge(second);
        for (DetectionAgreement d : List.of(whole, first)) {
            assertEquals(2, d.images());
            assertEquals(3, d.floatDetections());
            assertEquals(2, d.fixedDetections());
            assertEquals(2, d.matched());
            assertEquals(1, d.sameImages());
            assertEquals(1, d.meanIoU(), 1e-12);
            assertEquals(0, d.meanConfidenceGap(), 1e-12);
        }
        DetectionAgreement empty = new DetectionAgreement();
        empty.add(none, none);
        assertTrue(Double.isNaN(empty.recall()) && Double.isNaN(empty.f1()), "nothing to agree on");
        assertEquals(1, empty.sameImages());
    }
}
