package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.ramp;
import static xportdnn.engine.layers.Cases.run1;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Permute, PriorBox and DetectionOutput (decoding and NMS) on hand-worked cases. */
class SsdLayersTest {

    @Test
    void permuteMovesChannelsLast() {
        // [1, 2, 2, 3] of 0..11 -> [1, 2, 3, 2]: out[0][h][w][c] = in[0][c][h][w] = c*6 + h*3 + w
        INDArray y = run1(layer("name: 'p' type: 'Permute' permute_param { order: 0 order: 2 order: 3 order: 1 }"),
                array(ramp(12, 0, 1), 1, 2, 2, 3));
        assertShape(y, 1, 2, 3, 2);
        assertValues(new float[] {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}, y, 0);
    }

    @Test
    void permuteAppendsAxesTheOrderLeavesOut() {
        INDArray y = run1(layer("name: 'p' type: 'Permute' permute_param { order: 1 }"), array(ramp(6, 0, 1), 2, 3));
        assertShape(y, 3, 2);
        assertValues(new float[] {0, 3, 1, 4, 2, 5}, y, 0);
    }

    @Test
    void priorBoxOrdersMinMaxThenAspectRatiosPerCell() {
        // 2x2 feature map on an 8x8 image: step 4, first centre (2, 2). min 4, max 9 (sqrt(36) = 6), ratio 2 flipped.
        INDArray y = run1(layer("name: 'pb' type: 'PriorBox' bottom: 'f' bottom: 'img' prior_box_param { min_size: 4 "
                + "max_size: 9 aspect_ratio: 2 flip: true variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 }"),
                array(new float[4], 1, 1, 2, 2), array(new float[3 * 64], 1, 3, 8, 8));
        int priors = 4;
        assertShape(y, 1, 2, 2 * 2 * priors * 4);
        float[] v = Tensors.floats(y);
        double r2 = Math.sqrt(2);
        float[] firstCell = {
            0, 0, 0.5f, 0.5f,                                          // 4x4 at (2, 2)
            -0.125f, -0.125f, 0.625f, 0.625f,                          // 6x6
            (float) ((2 - 2 * r2) / 8), (float) ((2 - r2) / 8), (float) ((2 + 2 * r2) / 8), (float) ((2 + r2) / 8), // ar 2
            (float) ((2 - r2) / 8), (float) ((2 - 2 * r2) / 8), (float) ((2 + r2) / 8), (float) ((2 + 2 * r2) / 8), // ar 1/2
        };
        float[] got = java.util.Arrays.copyOf(v, 16);
        assertValues(firstCell, array(got, 16), 1e-6);
        // the last cell (row 1, col 1) is centred at (6, 6): its first box is 4..8 -> 0.5..1
        assertValues(new float[] {0.5f, 0.5f, 1, 1}, array(java.util.Arrays.copyOfRange(v, 48, 52), 4), 1e-6);
        // variances repeat per prior in the second row
        assertValues(new float[] {0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f},
                array(java.util.Arrays.copyOfRange(v, 64, 72), 8), 1e-7);
    }

    @Test
    void priorBoxClipsAndHonoursExplicitImageSizeStepAndOffset() {
        // one cell, img 10x20 (h x w), step 5, offset 0: centre (0, 0); min 8 -> [-4, 4] clipped to 0 .. 4/20, 4/10
        INDArray y = run1(layer("name: 'pb' type: 'PriorBox' prior_box_param { min_size: 8 clip: true img_h: 10 img_w: 20 "
                + "step: 5 offset: 0 }"), array(new float[1], 1, 1, 1, 1));
        assertValues(new float[] {0, 0, 0.2f, 0.4f, 0.1f, 0.1f, 0.1f, 0.1f}, y, 1e-6);
    }

    /** Three priors: A and B overlap with IoU 0.68, C is apart. */
    private static final float[] PRIORS = {
        0, 0, 0.5f, 0.5f, 0.05f, 0.05f, 0.55f, 0.55f, 0.6f, 0.6f, 1, 1,
        0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f};

    private static INDArray detect(String params, float[] conf, int classes) {
        return run1(layer("name: 'det' type: 'DetectionOutput' bottom: 'loc' bottom: 'conf' bottom: 'prior' "
                + "detection_output_param { " + params + " }"),
                array(new float[12], 1, 12), array(conf, 1, 3 * classes), array(PRIORS, 1, 2, 12));
    }

    @Test
    void nmsSuppressesTheOverlappingLowerScoreAndPadsToKeepTopK() {
        // background 0; class 1 scores A .9, B .8, C .7; zero offsets decode to the priors themselves
        INDArray y = detect("num_classes: 2 nms_param { nms_threshold: 0.5 } code_type: CENTER_SIZE keep_top_k: 4",
                new float[] {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f}, 2);
        assertShape(y, 1, 1, 4, 7);
        assertValues(new float[] {
            0, 1, 0.9f, 0, 0, 0.5f, 0.5f,
            0, 1, 0.7f, 0.6f, 0.6f, 1, 1,
            0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0}, y, 1e-6);
    }

    @Test
    void aLooserNmsThresholdKeepsBothOverlappingBoxes() {
        INDArray y = detect("num_classes: 2 nms_param { nms_threshold: 0.7 } code_type: CENTER_SIZE keep_top_k: 3",
                new float[] {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f}, 2);
        float[] v = Tensors.floats(y);
        assertEquals(0.9f, v[2]);
        assertEquals(0.8f, v[9]);
        assertEquals(0.7f, v[16]);
    }

    @Test
    void keepTopKKeepsTheBestOverAllClassesListedByLabel() {
        // 3 classes: class 1 scores A .3, B .1, C .2; class 2 scores A .6, B .05, C .5; threshold 0.15, no NMS effect
        // on C; kept by score: 2/A .6, 2/C .5, 1/A .3 (1/C .2 cut by keep_top_k 3); rows come out by label
        INDArray y = detect("num_classes: 3 confidence_threshold: 0.15 nms_param { nms_threshold: 0.5 } "
                + "code_type: CENTER_SIZE keep_top_k: 3",
                new float[] {0.1f, 0.3f, 0.6f, 0.85f, 0.1f, 0.05f, 0.3f, 0.2f, 0.5f}, 3);
        float[] v = Tensors.floats(y);
        assertValues(new float[] {1, 0.3f, 2, 0.6f, 2, 0.5f},
                array(new float[] {v[1], v[2], v[8], v[9], v[15], v[16]}, 6), 1e-6);
    }

    @Test
    void centerSizeDecodingAppliesTheVariances() {
        // prior (0.2, 0.2, 0.6, 0.6), variances (0.1, 0.1, 0.2, 0.2); offsets (1, 0, ln2 / 0.2, 0):
        // centre x = 0.1 * 1 * 0.4 + 0.4 = 0.44, width = exp(0.2 * ln2 / 0.2) * 0.4 = 0.8 -> x 0.04 .. 0.84
        float[] prior = {0.2f, 0.2f, 0.6f, 0.6f, 0.1f, 0.1f, 0.2f, 0.2f};
        float[] loc = {1, 0, (float) (Math.log(2) / 0.2), 0};
        INDArray y = run1(layer("name: 'det' type: 'DetectionOutput' bottom: 'loc' bottom: 'conf' bottom: 'prior' "
                + "detection_output_param { num_classes: 2 code_type: CENTER_SIZE keep_top_k: 1 }"),
                array(loc, 1, 4), array(new float[] {0.25f, 0.75f}, 1, 2), array(prior, 1, 2, 4));
        assertValues(new float[] {0, 1, 0.75f, 0.04f, 0.2f, 0.84f, 0.6f}, y, 1e-6);
    }

    @Test
    void eachImageOfABatchGetsItsOwnPaddedRows() {
        float[] conf = {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f, 0.9f, 0.1f, 0.9f, 0.1f, 0.4f, 0.6f};
        INDArray y = run1(layer("name: 'det' type: 'DetectionOutput' bottom: 'loc' bottom: 'conf' bottom: 'prior' "
                + "detection_output_param { num_classes: 2 confidence_threshold: 0.5 nms_param { nms_threshold: 0.5 } "
                + "code_type: CENTER_SIZE keep_top_k: 2 }"),
                array(new float[24], 2, 12), array(conf, 2, 6), array(PRIORS, 1, 2, 12));
        assertShape(y, 2, 1, 2, 7);
        assertValues(new float[] {
            0, 1, 0.9f, 0, 0, 0.5f, 0.5f, 0, 1, 0.7f, 0.6f, 0.6f, 1, 1,
            1, 1, 0.6f, 0.6f, 0.6f, 1, 1, 0, 0, 0, 0, 0, 0, 0}, y, 1e-6);
    }

    /**
     * A NaN confidence (an overflow upstream) is never above the threshold, so it would be dropped and the rows look
     * fine: the output holds NaN instead, which the engine's check of the net's outputs refuses, naming the layer.
     */
    @Test
    void aNaNInputGivesNaNRowsRatherThanDroppingTheDetection() {
        INDArray y = detect("num_classes: 2 nms_param { nms_threshold: 0.5 } code_type: CENTER_SIZE keep_top_k: 4",
                new float[] {0.1f, Float.NaN, 0.2f, 0.8f, 0.3f, 0.7f}, 2);
        for (float v : Tensors.floats(y)) {
            assertEquals(Float.NaN, v);
        }
    }
}
