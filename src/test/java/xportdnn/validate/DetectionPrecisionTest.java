package xportdnn.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Average precision against the float detections, on hand-computed cases. */
class DetectionPrecisionTest {

    private static float[] rows(float[]... rows) {
        float[] all = new float[rows.length * DetectionAgreement.ROW];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, all, i * DetectionAgreement.ROW, DetectionAgreement.ROW);
        }
        return all;
    }

    /** A box of label 1 at {@code x}: a unit-wide square strip, disjoint from those at other whole x. */
    private static float[] box(float confidence, float x) {
        return new float[] {0, 1, confidence, x / 10, 0, (x + 1) / 10, 0.1f};
    }

    @Test
    void averagePrecisionOfARankingByHand() {
        // float: three detections above 0.5 (and one below, not a truth)
        float[] truth = rows(box(0.9f, 0), box(0.8f, 2), box(0.7f, 4), box(0.3f, 6));
        // fixed point, by confidence: hit (0), miss (8), hit (2), miss (6: the float one was below 0.5); the
        // third float detection (4) is never found
        float[] fixed = rows(box(0.95f, 0), box(0.6f, 8), box(0.4f, 2), box(0.2f, 6));
        DetectionPrecision p = new DetectionPrecision();
        p.add(truth, fixed);
        // precision at the ranks: 1, 1/2, 2/3, 2/4; made non-increasing from the right: 1, 2/3, 2/3, 1/2.
        // The two hits add 1 and 2/3; the third truth, never found, adds 0: (1 + 2/3) / 3.
        assertEquals((1 + 2 / 3.0) / 3, p.averagePrecision(), 1e-12);
    }

    @Test
    void identicalDetectionsScoreOneAndTiesRankMissesFirst() {
        float[] truth = rows(box(0.9f, 0), box(0.8f, 2));
        DetectionPrecision same = new DetectionPrecision();
        same.add(truth, truth);
        assertEquals(1, same.averagePrecision(), 1e-12);

        // a miss and a hit of the same confidence: the miss ranks first, precision 1/2 at the hit
        DetectionPrecision tied = new DetectionPrecision();
        tied.add(rows(box(0.9f, 0)), rows(box(0.7f, 5), box(0.7f, 0)));
        assertEquals(0.5, tied.averagePrecision(), 1e-12);
        assertTrue(Double.isNaN(new DetectionPrecision().averagePrecision()), "no truth, no precision");
    }

    @Test
    void shardsMergeToTheWholeInAnyOrder() {
        float[] truthA = rows(box(0.9f, 0), box(0.8f, 2));
        float[] fixedA = rows(box(0.85f, 0), box(0.5f, 7));
        float[] truthB = rows(box(0.95f, 1));
        float[] fixedB = rows(box(0.6f, 3), box(0.55f, 1));
        DetectionPrecision whole = new DetectionPrecision();
        whole.add(truthA, fixedA);
        whole.add(truthB, fixedB);
        DetectionPrecision b = new DetectionPrecision();
        b.add(truthB, fixedB);
        DetectionPrecision a = new DetectionPrecision();
        a.add(truthA, fixedA);
        b.merge(a);
        // ranked: 0.85 hit, 0.6 miss, 0.55 hit, 0.5 miss; precision 1, 1/2, 2/3, 1/2 -> 1, 2/3, 2/3, 1/2
        assertEquals((1 + 2 / 3.0) / 3, whole.averagePrecision(), 1e-12);
        assertEquals(whole.averagePrecision(), b.averagePrecision(), 0);
    }
}
