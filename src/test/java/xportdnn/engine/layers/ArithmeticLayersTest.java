package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertShape;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;
import static xportdnn.engine.layers.Cases.ramp;
import static xportdnn.engine.layers.Cases.run1;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

/** InnerProduct, Scale, Bias, Eltwise, activations, Power, Softmax and ArgMax. */
class ArithmeticLayersTest {

    @Test
    void innerProductFlattensFromAxisAndAddsBias() {
        // 2 images of 1x2x2 values; weights [3, 4]
        INDArray x = array(new float[] {1, 2, 3, 4, -1, 0, 0, 1}, 2, 1, 2, 2);
        float[] w = {1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1};
        INDArray y = run1(layer("name: 'ip' type: 'InnerProduct' inner_product_param { num_output: 3 }",
                blob(new int[] {3, 4}, w), blob(10, 20, 30)), x);
        assertShape(y, 2, 3);
        assertValues(new float[] {11, 22, 40, 9, 20, 30}, y, 0);
    }

    /** An op for another thread multiplies by the same weight array, into an output of its own. */
    @Test
    void innerProductSharingWeightsUsesTheSameArraysAndItsOwnOutput() {
        Layer ip = layer("name: 'ip' type: 'InnerProduct' inner_product_param { num_output: 3 }",
                blob(new int[] {3, 4}, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1), blob(10, 20, 30));
        InnerProduct op = new InnerProduct(ip);
        InnerProduct other = (InnerProduct) op.sharingWeights();
        assertSame(op.weights(), other.weights());
        INDArray y = op.forward(List.of(array(new float[] {1, 2, 3, 4}, 1, 4))).get(0);
        INDArray z = other.forward(List.of(array(new float[] {-1, 0, 0, 1}, 1, 4))).get(0);
        assertValues(new float[] {11, 22, 40}, y, 0); // not overwritten by the other op's pass
        assertValues(new float[] {9, 20, 30}, z, 0);
        // as Layers.create wraps it (bottoms copied out of channels-last storage), it still shares them
        assertNotNull(Layers.create(ip, List.of(new int[] {1, 4})).sharingWeights());
    }

    @Test
    void innerProductTransposedWeightsAndLaterAxis() {
        // axis 2 keeps [1, 2] leading axes; each row of 2 values times weights stored [K=2, N=1]
        INDArray x = array(new float[] {1, 2, 3, 4}, 1, 2, 2);
        INDArray y = run1(layer("name: 'ip' type: 'InnerProduct' inner_product_param { num_output: 1 axis: 2 "
                + "transpose: true bias_term: false }", blob(new int[] {2, 1}, 10, 1)), x);
        assertShape(y, 1, 2, 1);
        assertValues(new float[] {12, 34}, y, 0);
    }

    @Test
    void scaleMultipliesPerChannelAndAddsItsBias() {
        INDArray x = array(new float[] {1, 2, 3, 4}, 1, 2, 1, 2);
        INDArray y = run1(layer("name: 's' type: 'Scale' scale_param { bias_term: true }", blob(2, -1), blob(0.5f, 1)), x);
        assertValues(new float[] {2.5f, 4.5f, -2, -3}, y, 0);
    }

    @Test
    void scaleBySecondBottomSpanningTwoAxes() {
        // factor [2, 2] spans axes 1..2 of a [1, 2, 2, 1] input
        INDArray y = run1(layer("name: 's' type: 'Scale' bottom: 'x' bottom: 'f'"),
                array(new float[] {1, 1, 1, 1}, 1, 2, 2, 1), array(new float[] {1, 2, 3, 4}, 2, 2));
        assertValues(new float[] {1, 2, 3, 4}, y, 0);
    }

    /**
     * A second bottom from axis 0 spans the batch, and so does the learned bias made with its shape: at another batch
     * the error says so and names the batch it fits (the export calibrated in batches of 8 and said only "the bias
     * holds 4 values, the scale 8").
     */
    @Test
    void aBiasSpanningTheBatchNamesTheBatchItFits() {
        Layer gate = layer("name: 's' type: 'Scale' bottom: 'x' bottom: 'f' scale_param { axis: 0 bias_term: true }",
                blob(new int[] {1, 2, 2}, 10, 20, 30, 40));
        INDArray one = run1(gate, array(new float[] {1, 2, 3, 4}, 1, 2, 2), array(new float[] {1, 1, 2, 2}, 1, 2, 2));
        assertValues(new float[] {11, 22, 36, 48}, one, 0);
        ModelException e = assertThrows(ModelException.class, () -> run1(gate, array(ramp(8, 0, 1), 2, 2, 2),
                array(ramp(8, 0, 1), 2, 2, 2)));
        assertEquals("layer 's': the bias holds 4 values, the scale 8: its second bottom spans the batch axis (axis 0), "
                + "so its bias fits a batch of 1 only and this pass runs 2 (Caffe too runs it at that batch alone); "
                + "give --batch 1", e.getMessage());
    }

    @Test
    void scaleWithNumAxesZeroIsOneScalar() {
        INDArray y = run1(layer("name: 's' type: 'Scale' scale_param { num_axes: 0 }", blob(new int[0], 3)),
                array(new float[] {1, 2, 3}, 1, 3));
        assertValues(new float[] {3, 6, 9}, y, 0);
    }

    @Test
    void biasAddsAlongTheGivenAxis() {
        INDArray y = run1(layer("name: 'b' type: 'Bias' bias_param { axis: 2 }", blob(100, 200)),
                array(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        assertValues(new float[] {101, 102, 203, 204}, y, 0);
    }

    @Test
    void eltwiseSumWeighsEachBottomByItsCoefficient() {
        INDArray a = array(new float[] {1, 2}, 1, 2);
        INDArray b = array(new float[] {10, 30}, 1, 2);
        assertValues(new float[] {-9, -28}, run1(layer("name: 'e' type: 'Eltwise' bottom: 'a' bottom: 'b' "
                + "eltwise_param { coeff: 1 coeff: -1 }"), a, b), 0);
        assertValues(new float[] {10, 60}, run1(layer("name: 'e' type: 'Eltwise' bottom: 'a' bottom: 'b' "
                + "eltwise_param { operation: PROD }"), a, b), 0);
        assertValues(new float[] {10, 30}, run1(layer("name: 'e' type: 'Eltwise' bottom: 'a' bottom: 'b' "
                + "eltwise_param { operation: MAX }"), a, b), 0);
        assertValues(new float[] {1, 2}, a, 0); // bottoms untouched
    }

    @Test
    void activationsFollowCaffesFormulas() {
        INDArray x = array(new float[] {-2, 0, 3}, 1, 3);
        assertValues(new float[] {0, 0, 3}, run1(layer("name: 'r' type: 'ReLU'"), x), 0);
        assertValues(new float[] {-0.2f, 0, 3}, run1(layer("name: 'r' type: 'ReLU' relu_param { negative_slope: 0.1 }"), x), 1e-7);
        assertValues(new float[] {(float) (0.5 * (Math.exp(-2) - 1)), 0, 3},
                run1(layer("name: 'e' type: 'ELU' elu_param { alpha: 0.5 }"), x), 1e-6);
        assertValues(new float[] {(float) (1 / (1 + Math.exp(2))), 0.5f, (float) (1 / (1 + Math.exp(-3)))},
                run1(layer("name: 's' type: 'Sigmoid'"), x), 1e-6);
        assertValues(new float[] {(float) Math.tanh(-2), 0, (float) Math.tanh(3)}, run1(layer("name: 't' type: 'TanH'"), x), 1e-6);
        assertValues(new float[] {-2, 0, 3}, run1(layer("name: 'd' type: 'Dropout' dropout_param { dropout_ratio: 0.9 }"), x), 0);
        assertValues(new float[] {2, 0, 3}, run1(layer("name: 'a' type: 'AbsVal'"), x), 0);
        // (1 + 2x)^2
        assertValues(new float[] {9, 1, 49}, run1(layer("name: 'p' type: 'Power' power_param { power: 2 scale: 2 shift: 1 }"), x), 1e-6);
        assertValues(new float[] {8, 8, 8}, run1(layer("name: 'p' type: 'Power' power_param { power: 3 scale: 0 shift: 2 }"), x), 0);
        assertValues(new float[] {-2, 0, 3}, x, 0);
    }

    /** Element-wise layers of BVLC Caffe's caffe.proto, hand-computed from Caffe's layer sources. */
    @Test
    void bnllExpLogThresholdAndClipFollowCaffesFormulas() {
        INDArray x = array(new float[] {-1, 0, 2, 60}, 1, 4);
        // log(1 + e^x); at 60 Caffe's branch x + log(1 + e^-x) keeps it finite: 60
        assertValues(new float[] {(float) Math.log(1 + Math.exp(-1)), (float) Math.log(2),
            (float) (2 + Math.log(1 + Math.exp(-2))), 60}, run1(layer("name: 'b' type: 'BNLL'"), x), 1e-6);
        INDArray small = array(new float[] {0, 2, -2}, 1, 3);
        // 2^(1 + x/2) = 2, 4, 1; the default base e: e^x
        assertValues(new float[] {2, 4, 1},
                run1(layer("name: 'e' type: 'Exp' exp_param { base: 2 scale: 0.5 shift: 1 }"), small), 1e-6);
        assertValues(new float[] {1, (float) Math.exp(2), (float) Math.exp(-2)},
                run1(layer("name: 'e' type: 'Exp'"), small), 1e-6);
        // log10(1 + 2x) = 0, 1, 2; the default: ln(x)
        assertValues(new float[] {0, 1, 2}, run1(layer("name: 'l' type: 'Log' log_param { base: 10 scale: 2 shift: 1 }"),
                array(new float[] {0, 4.5f, 49.5f}, 1, 3)), 1e-6);
        assertValues(new float[] {0, 1},
                run1(layer("name: 'l' type: 'Log'"), array(new float[] {1, (float) Math.E}, 1, 2)), 1e-6);
        // 1 strictly above the threshold
        assertValues(new float[] {0, 1, 0}, run1(layer("name: 't' type: 'Threshold' threshold_param { threshold: 0.5 }"),
                array(new float[] {0.5f, 0.6f, -1}, 1, 3)), 0);
        assertValues(new float[] {-1, 0.5f, 2}, run1(layer("name: 'c' type: 'Clip' clip_param { min: -1 max: 2 }"),
                array(new float[] {-3, 0.5f, 7}, 1, 3)), 0);
    }

    @Test
    void badClipExpAndLogParametersAreRefusedNamingTheLayer() {
        ModelException e = assertThrows(ModelException.class,
                () -> Cases.create(layer("name: 'c' type: 'Clip' clip_param { min: -1 }"), 1, 3));
        assertEquals("layer 'c': clip_param needs both min and max", e.getMessage());
        e = assertThrows(ModelException.class,
                () -> Cases.create(layer("name: 'e' type: 'Exp' exp_param { base: -2 }"), 1, 3));
        assertEquals("layer 'e': base must be -1 (e) or a positive number, got -2.0", e.getMessage());
        e = assertThrows(ModelException.class,
                () -> Cases.create(layer("name: 'l' type: 'Log' log_param { base: 1 }"), 1, 3));
        assertEquals("layer 'l': log_param.base must not be 1", e.getMessage());
    }

    @Test
    void preluSlopesPerChannelOrShared() {
        INDArray x = array(new float[] {-1, 2, -3, 4}, 1, 2, 2);
        assertValues(new float[] {-0.5f, 2, -0.3f, 4}, run1(layer("name: 'p' type: 'PReLU'", blob(0.5f, 0.1f)), x), 1e-7);
        assertValues(new float[] {-0.5f, 2, -1.5f, 4},
                run1(layer("name: 'p' type: 'PReLU' prelu_param { channel_shared: true }", blob(0.5f)), x), 1e-7);
    }

    @Test
    void softmaxNormalisesAlongItsAxis() {
        INDArray y = run1(layer("name: 's' type: 'Softmax' softmax_param { axis: 2 }"),
                array(new float[] {0, 0, 1, 1000, 0, (float) Math.log(3)}, 1, 3, 2));
        assertValues(new float[] {0.5f, 0.5f, 0, 1, 0.25f, 0.75f}, y, 1e-6);
        INDArray z = run1(layer("name: 's' type: 'Softmax'"), array(new float[] {0, 0, (float) Math.log(3), 0}, 1, 2, 1, 2));
        assertValues(new float[] {0.25f, 0.5f, 0.75f, 0.5f}, z, 1e-6);
    }

    @Test
    void argMaxGivesIndicesThenValues() {
        INDArray x = array(new float[] {3, 9, 1, 7, 5, 5, 0, 2}, 2, 4);
        INDArray top2 = run1(layer("name: 'a' type: 'ArgMax' argmax_param { top_k: 2 out_max_val: true }"), x);
        assertShape(top2, 2, 2, 2);
        // image 1: the tie 5 / 5 puts the larger index first, as Caffe's descending pair order does
        assertValues(new float[] {1, 3, 9, 7, 1, 0, 5, 5}, top2, 0);
        INDArray alongAxis = run1(layer("name: 'a' type: 'ArgMax' argmax_param { axis: 0 }"), x);
        assertShape(alongAxis, 1, 4);
        assertValues(new float[] {1, 0, 0, 0}, alongAxis, 0);
    }

    @Test
    void unsupportedTypeIsAModelErrorNamingTheLayer() {
        ModelException e = assertThrows(ModelException.class, () -> Cases.create(layer("name: 'warp' type: 'SpatialTransformer'"), 1, 1, 1, 1));
        assertTrue(e.getMessage().contains("'warp'") && e.getMessage().contains("SpatialTransformer"), e.getMessage());
    }

    @Test
    void missingWeightsAreAModelErrorNamingTheLayer() {
        ModelException e = assertThrows(ModelException.class,
                () -> Cases.create(layer("name: 'c1' type: 'Convolution' convolution_param { num_output: 2 kernel_size: 1 }"), 1, 1, 1, 1));
        assertTrue(e.getMessage().contains("'c1'"), e.getMessage());
    }
}
