package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.PictureCounts;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/** The class-score step check on written blocks by hand: which layer's step, and the share of close margins. */
class ClassScoreStepCheckTest {

    private static final String BODY = """
            name: "head"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 10 kernel_size: 1 } %s }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" %s }
            """;

    /** Xilinx: a global average pooling keeps its input's threshold 31 over 31 codes of 6 bits: step 1. */
    private static final String XILINX = BODY.formatted(
            "precision_param { bw_layer_in: 6 bw_layer_out: 6 bw_params: 6 th_layer_in: 1 th_layer_out: 31 "
                    + "th_params: 1 th_params: 1 th_params: 1 th_params: 1 th_params: 1 th_params: 1 th_params: 1 "
                    + "th_params: 1 th_params: 1 th_params: 1 quant_type: \"Xilinx\" }",
            "precision_param { bw_layer_in: 6 bw_layer_out: 6 th_layer_in: 31 th_layer_out: 31 }") + """
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: AVE global_pooling: true }
                    precision_param { bw_layer_in: 6 bw_layer_out: 6 th_layer_in: 31 th_layer_out: 31
                                      quant_type: "Xilinx" } }
            layer { name: "prob" type: "Softmax" bottom: "pool" top: "prob" }
            """;

    /** DynamicFixed: the ReLU has no block; the convolution's output format 2^-1 is the scores' step. */
    private static final String DYNAMIC_FIXED = BODY.formatted(
            "precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 7 fl_layer_out: 1 "
                    + "fl_params: 7 quant_type: \"DynamicFixed\" }", "") + """
            layer { name: "prob" type: "Softmax" bottom: "conv" top: "prob" }
            """.replace("num_output: 10 kernel_size: 1", "num_output: 10 kernel_size: 8");

    /** The scores computed in software by an InnerProduct after the pooling. */
    private static final String SOFTWARE_HEAD = XILINX.replace("""
            layer { name: "prob" type: "Softmax" bottom: "pool" top: "prob" }
            """, """
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 10 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """);

    private static Calibration withMargins(float... margins) {
        List<String> names = Collections.nCopies(margins.length, "a.png");
        int[] classes = new int[10];
        classes[0] = margins.length;
        return new Calibration(Map.of(), names, names, List.of(),
                new PictureCounts(margins.length, 0, 0, classes, margins));
    }

    /** {@code close} of {@code images} margins below 1 (0.99), the others at 1 and above. */
    private static Calibration closeOf(int images, int close, float step) {
        float[] margins = new float[images];
        for (int i = 0; i < images; i++) {
            margins[i] = i < close ? 0.99f * step : step * (1 + i);
        }
        return withMargins(margins);
    }

    /** The check of the prototxt as written, which is the check of its net built (compare's schemes) too. */
    private static List<Notice> check(String prototxt, Calibration calibration) {
        NetParameter definition = TestWeights.definition(prototxt);
        Net net = NetLoader.build(definition, null);
        List<Notice> written = ClassScoreStepCheck.of(calibration, net, definition);
        assertEquals(written, ClassScoreStepCheck.of(calibration, net, net));
        return written;
    }

    @Test
    void xilinxAveragePoolingWritesScoresInItsInputsStep() {
        List<Notice> w = check(XILINX, closeOf(40, 3, 1f));
        assertEquals(1, w.size());
        assertTrue(w.get(0).warning());
        assertTrue(w.get(0).text().startsWith("layer 'pool' writes the class scores in steps of 1.00 (th_layer_out "
                + "31.00 over 31 codes): on 3 of the 40 calibration images (8%) the float net's two best classes are closer "
                + "than that"), w.get(0).text());
        assertTrue(w.get(0).text().endsWith("with --float_layers conv,pool shows what computing the classifier in "
                + "software would keep"), w.get(0).text());
        // 2 of 40 is 5%, not more; a margin of exactly one step is apart
        assertEquals(List.of(), check(XILINX, closeOf(40, 2, 1f)));
        float[] oneStep = new float[40];
        Arrays.fill(oneStep, 1f);
        assertEquals(List.of(), check(XILINX, withMargins(oneStep)));
        // too few images, statistics without pictures, no calibration
        assertEquals(List.of(), check(XILINX, closeOf(19, 19, 1f)));
        assertEquals(List.of(), check(XILINX, new Calibration(Map.of(), List.of("a"), List.of("a"))));
        assertEquals(List.of(), check(XILINX, null));
    }

    @Test
    void dynamicFixedStepIsTheLastBlockBeforeThePlainRelu() {
        List<Notice> w = check(DYNAMIC_FIXED, closeOf(20, 2, 0.5f));
        assertEquals(1, w.size());
        assertTrue(w.get(0).text().startsWith("layer 'conv' writes the class scores in steps of 0.500 "
                + "(fl_layer_out 1): on 2 of the 20"), w.get(0).text());
        assertTrue(w.get(0).text().contains("with --float_layers conv shows"), w.get(0).text());
        assertEquals(List.of(), check(DYNAMIC_FIXED, closeOf(20, 1, 0.5f)));
    }

    @Test
    void scoresComputedInSoftwareAreNotChecked() {
        assertEquals(List.of(), check(SOFTWARE_HEAD, closeOf(40, 40, 1f)));
        Net device = NetLoader.build(TestWeights.definition(SOFTWARE_HEAD), null);
        assertNull(ClassScoreStepCheck.deviceWriter(device, "fc"));
        assertEquals("pool", ClassScoreStepCheck.deviceWriter(device, "pool").name());
    }
}
