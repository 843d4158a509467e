package xportdnn.engine.layers;

import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.ramp;
import static xportdnn.engine.layers.Cases.run1;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** LRN, BatchNorm and SSD's Normalize on values small enough to work out by hand. */
class NormalizationTest {

    @Test
    void lrnAcrossChannelsSumsTheCentredChannelWindow() {
        // channels 1, 2, 3; size 3, alpha 3 (alpha/size = 1), beta 1, k 1: scale = 1 + sum of neighbours' squares
        INDArray y = run1(layer("name: 'n' type: 'LRN' lrn_param { local_size: 3 alpha: 3 beta: 1 }"),
                array(new float[] {1, 2, 3}, 1, 3, 1, 1));
        assertValues(new float[] {1f / (1 + 1 + 4), 2f / (1 + 1 + 4 + 9), 3f / (1 + 4 + 9)}, y, 1e-6);
    }

    @Test
    void lrnAcrossChannelsUsesKAndBeta() {
        // size 5 over 2 channels per pixel, alpha 0.5, beta 0.75, k 2
        float[] x = {1, -2, 3, 4};
        INDArray y = run1(layer("name: 'n' type: 'LRN' lrn_param { local_size: 5 alpha: 0.5 beta: 0.75 k: 2 }"),
                array(x, 1, 2, 1, 2));
        double s0 = 2 + 0.5 / 5 * (1 + 9);
        double s1 = 2 + 0.5 / 5 * (4 + 16);
        assertValues(new float[] {(float) (1 / Math.pow(s0, 0.75)), (float) (-2 / Math.pow(s1, 0.75)),
            (float) (3 / Math.pow(s0, 0.75)), (float) (4 / Math.pow(s1, 0.75))}, y, 1e-6);
    }

    @Test
    void lrnWithinChannelAveragesSquaresOverTheZeroPaddedWindowAndIgnoresK() {
        // 3x3 of 1..9, size 3, alpha 9, beta 1: scale = 1 + 9 * (sum of squares in window) / 9
        INDArray y = run1(layer("name: 'n' type: 'LRN' lrn_param { local_size: 3 alpha: 9 beta: 1 k: 5 "
                + "norm_region: WITHIN_CHANNEL }"), array(ramp(9, 1, 1), 1, 1, 3, 3));
        float corner = 1 + 1 + 4 + 16 + 25;
        float edge = 1 + 1 + 4 + 9 + 16 + 25 + 36;
        float centre = 1 + 285;
        float[] v = Tensors.floats(y);
        assertValues(new float[] {1 / corner, 2 / edge, 5 / centre}, array(new float[] {v[0], v[1], v[4]}, 3), 1e-6);
    }

    @Test
    void batchNormDividesTheStoredStatisticsByTheScaleFactor() {
        // stored mean [2, 4], variance [8, 18], factor 2: true mean [1, 2], variance [4, 9]; eps 0
        INDArray y = run1(layer("name: 'bn' type: 'BatchNorm' batch_norm_param { eps: 0 }",
                blob(2, 4), blob(8, 18), blob(2)), array(new float[] {3, 5, 8, -1}, 1, 2, 1, 2));
        assertValues(new float[] {1, 2, 2, -1}, y, 1e-6);
    }

    @Test
    void batchNormWithZeroScaleFactorUsesZeroStatistics() {
        INDArray y = run1(layer("name: 'bn' type: 'BatchNorm' batch_norm_param { eps: 4 }",
                blob(2, 4), blob(8, 18), blob(0)), array(new float[] {4, -6}, 1, 2, 1, 1));
        assertValues(new float[] {2, -3}, y, 1e-6); // (x - 0) / sqrt(0 + 4)
    }

    @Test
    void batchNormWithoutGlobalStatsNormalisesByTheBatch() {
        // channel 0 holds 1 and 3 (mean 2, var 1), channel 1 holds 10 and 10 (var 0, eps 0.25 -> std 0.5)
        INDArray y = run1(layer("name: 'bn' type: 'BatchNorm' batch_norm_param { use_global_stats: false eps: 0.25 }"),
                array(new float[] {1, 3, 10, 10}, 1, 2, 1, 2));
        double s = Math.sqrt(1.25);
        assertValues(new float[] {(float) (-1 / s), (float) (1 / s), 0, 0}, y, 1e-6);
    }

    @Test
    void normalizePerPixelScalesTheUnitChannelVectorPerChannel() {
        // pixel 0 has channels (3, 4) -> norm 5; pixel 1 (0, 2) -> norm 2; scales 10 and 20
        INDArray y = run1(layer("name: 'l2' type: 'Normalize' norm_param { across_spatial: false channel_shared: false }",
                blob(10, 20)), array(new float[] {3, 0, 4, 2}, 1, 2, 1, 2));
        assertValues(new float[] {6, 0, 16, 20}, y, 1e-6);
    }

    @Test
    void normalizeAcrossSpatialUsesOneNormPerImage() {
        // image 0: values 1, 2, 2, 4 -> norm 5; image 1: 0, 0, 3, 4 -> norm 5; shared scale 2; eps 11 -> sqrt(25+11)=6
        INDArray x = array(new float[] {1, 2, 2, 4, 0, 0, 3, 4}, 2, 2, 1, 2);
        INDArray y = run1(layer("name: 'l2' type: 'Normalize' norm_param { eps: 11 }", blob(2)), x);
        assertValues(new float[] {2f / 6, 4f / 6, 4f / 6, 8f / 6, 0, 0, 1, 8f / 6}, y, 1e-6);
    }

    @Test
    void normalizeRejectsAScaleBlobThatContradictsChannelShared() {
        org.junit.jupiter.api.Assertions.assertThrows(xportdnn.model.ModelException.class,
                () -> Cases.create(layer("name: 'l2' type: 'Normalize' norm_param { channel_shared: true }", blob(1, 2)), 1, 2, 1, 1));
    }

    @Test
    void shapesArePreserved() {
        INDArray y = run1(layer("name: 'n' type: 'LRN' lrn_param { local_size: 5 }"), array(new float[2 * 7 * 3 * 4], 2, 7, 3, 4));
        assertShape(y, 2, 7, 3, 4);
    }

    @Test
    void mvnSubtractsTheMeanAndDividesByTheStandardDeviationPlusEps() {
        // per image and channel: channel [1, 3] has mean 2, deviation 1; channel [4, 4] mean 4, deviation 0
        INDArray x = array(new float[] {1, 3, 4, 4}, 1, 2, 1, 2);
        assertValues(new float[] {-1f / 1.5f, 1f / 1.5f, 0, 0},
                run1(layer("name: 'm' type: 'MVN' mvn_param { eps: 0.5 }"), x), 1e-6);
        // across channels: mean 3, E((x-3)^2) = (4 + 0 + 1 + 1) / 4 = 1.5
        float sd = (float) Math.sqrt(1.5) + 1e-9f;
        assertValues(new float[] {-2 / sd, 0, 1 / sd, 1 / sd},
                run1(layer("name: 'm' type: 'MVN' mvn_param { across_channels: true }"), x), 1e-6);
        // mean only
        assertValues(new float[] {-1, 1, 0, 0},
                run1(layer("name: 'm' type: 'MVN' mvn_param { normalize_variance: false }"), x), 1e-6);
    }
}
