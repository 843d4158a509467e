package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.CountingPasses;
import xportdnn.pipeline.UnseenNets;
import xportdnn.validate.Validation;

/**
 * Every compare scheme on small random nets unlike the shared ones (weights as {@link UnseenNets} writes them),
 * scored against the float engine on the example images the calibration left out.
 *
 * <p>The bound, for 8 bits. A value rounded to a symmetric 8-bit code over its threshold T has noise of power
 * step^2 / 12 with step = T / 127, so against a signal of rms s its SQNR is 20 log10(127) + 10.8 - 20 log10(T / s)
 * = 52.9 dB - crest, and the crest T / s of these blobs (ReLU'd convolution outputs, products of two, the image)
 * stays below 8 (18 dB): at least 35 dB per rounding. Along a net's path N roundings of comparable relative
 * size add their noise (the image, each convolution's weights and output, the Eltwise's or other layer's
 * output): 10 log10(N) dB less, 9 dB for the Eltwise nets' 8, where a product also adds its inputs' relative
 * errors (3 dB less again), 10.8 dB for the longest net here (12 roundings, no product). So {@value #BOUND_DB}
 * dB, where a clip, or a rounding of one input on another's scale (the faults these tests guard against), costs
 * 15 to 40 dB.
 */
class UnusualNetsSchemesTest {

    static final double BOUND_DB = 23;

    static final List<SchemeSpec> ALL = SchemeSpec.parseList("xilinx:8,dynamicfixed:8,naive:8,bfp:8,f8net:8,aciq:8");

    /** The schemes only the simulator runs, free to keep a product's inputs on scales of their own. */
    static final List<SchemeSpec> SIMULATED = SchemeSpec.parseList("naive:8,bfp:8,f8net:8,aciq:8");

    /**
     * Global max pooling, the net's output: 8 "class scores" (the images have 3 labels). A head every scheme runs
     * alike (CHaiDNN's average pooling has quirks of its own, tested elsewhere) and without an InnerProduct after
     * it, whose random weights cancel: its output's SQNR measures that cancellation more than the schemes.
     */
    static final String MAX_HEAD = """
            layer { name: "pool" type: "Pooling" bottom: "%s" top: "pool"
                    pooling_param { pool: MAX global_pooling: true } }
            """;

    static final String INPUT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            """;

    /**
     * An Eltwise of a small input (a ReLU'd convolution, max about 3) and a large one (a convolution without bias
     * whose weights carry a DC of 20: max some hundreds), read by a convolution.
     */
    static String eltwise(String param) {
        return "name: \"elt\"\n" + INPUT + """
                layer { name: "convA" type: "Convolution" bottom: "data" top: "a"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "reluA" type: "ReLU" bottom: "a" top: "a" }
                layer { name: "convB" type: "Convolution" bottom: "data" top: "b"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
                layer { name: "e" type: "Eltwise" bottom: "a" bottom: "b" top: "p" eltwise_param { %s } }
                layer { name: "convC" type: "Convolution" bottom: "p" top: "c"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                """.formatted(param) + MAX_HEAD.formatted("c");
    }

    @TempDir
    Path dir;

    /**
     * A product, a weighted sum (a difference; 0.5 a + 2 b, which reaches twice its inputs' range) and a max. Every
     * scheme gives the product and the sums an output scale of their own (a max stays on its inputs'); in the
     * schemes only the simulator runs, a product's or weighted sum's inputs also keep theirs. Shared, the small
     * input was rounded on the large one's scale: the product at 3.5 dB naive, 7.6 aciq, 12 bfp (40 f8net, whose
     * inputs never shared), the net output at 3.7, 9.0 and 13.5 dB; the small input of a weighted sum at 3.2, 7.4
     * and 12 dB. CHaiDNN's modes keep the device's one
     * th_layer_in for all of an Eltwise's inputs (a weighted sum of such inputs: reluA at 3 dB in Xilinx mode, which
     * warns that CHaiDNN does not run it), so they are held to the bound where the inputs have one scale.
     */
    @Test
    void eltwiseOutputsAndInputsGetScalesOfTheirOwn() {
        for (String param : List.of("operation: PROD", "operation: SUM coeff: 1 coeff: -1",
                "operation: SUM coeff: 0.5 coeff: 2", "operation: MAX")) {
            // a max's inputs share one scale in every scheme (it runs on codes): apart, the large input's, and
            // the small one is rounded coarsely where the large one wins anyway
            List<String> layers = param.contains("MAX") ? List.of("e", "pool") : List.of("reluA", "e", "pool");
            UnseenNets.NetFiles apart = UnseenNets.write(dir, "apart", eltwise(param), 7, 20, 0);
            assertAbove(compare(apart, SIMULATED, UnseenNets.CALIBRATION), layers, param);
            UnseenNets.NetFiles alike = UnseenNets.write(dir, "alike", eltwise(param), 7, 0.5f, 0);
            assertAbove(compare(alike, ALL, UnseenNets.CALIBRATION), List.of("reluA", "e", "pool"), param);
        }
    }

    /**
     * A Slice along the channels: bfp gave each output the exponents of the Slice's first output (its statistics
     * are of that one only), so the second output's channels were read on other channels' exponents: conv3 at
     * 1.4 dB, the net output at 12 dB.
     */
    @Test
    void aChannelSliceGivesEachOutputItsChannels() {
        String prototxt = "name: \"slice\"\n" + INPUT + """
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "relu1" type: "ReLU" bottom: "c1" top: "c1" }
                layer { name: "split" type: "Split" bottom: "c1" top: "s1" top: "s2" }
                layer { name: "slice" type: "Slice" bottom: "s1" top: "lo" top: "hi"
                        slice_param { axis: 1 slice_point: 3 } }
                layer { name: "conv2" type: "Convolution" bottom: "lo" top: "c2"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "conv3" type: "Convolution" bottom: "hi" top: "c3"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "slice2" type: "Slice" bottom: "s2" top: "top" top: "bottom"
                        slice_param { axis: 2 slice_point: 16 } }
                layer { name: "conv4" type: "Convolution" bottom: "bottom" top: "c4"
                        convolution_param { num_output: 4 kernel_size: 1 } }
                layer { name: "cat" type: "Concat" bottom: "c2" bottom: "c3" top: "k" }
                layer { name: "half" type: "Pooling" bottom: "k" top: "h"
                        pooling_param { pool: MAX kernel_h: 2 kernel_w: 1 stride_h: 2 stride_w: 1 } }
                layer { name: "cat2" type: "Concat" bottom: "h" bottom: "c4" top: "k2" }
                """ + MAX_HEAD.formatted("k2");
        assertAbove(compare(UnseenNets.write(dir, "slice", prototxt, 7), ALL, UnseenNets.CALIBRATION),
                List.of("conv3", "pool"));
    }

    /**
     * Sigmoid, TanH, AbsVal and Power rewriting a convolution's output in place (the simulator computes them in
     * float): bfp keyed exponents by blob, so the convolution wrote its output in the exponents of the Sigmoid's
     * values (up to 1) and clipped it: conv2 at 4.8 dB, conv3 (before a TanH) at 2.8, the net output at 14.
     */
    @Test
    void aFloatLayerInPlaceDoesNotClipTheConvolutionBeforeIt() {
        String prototxt = "name: \"activations\"\n" + INPUT + """
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "pow" type: "Power" bottom: "c1" top: "c1"
                        power_param { power: 2 scale: 0.5 shift: 0.1 } }
                layer { name: "conv2" type: "Convolution" bottom: "c1" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "sig" type: "Sigmoid" bottom: "c2" top: "c2" }
                layer { name: "conv3" type: "Convolution" bottom: "c2" top: "c3"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "tanh" type: "TanH" bottom: "c3" top: "c3" }
                layer { name: "conv4" type: "Convolution" bottom: "c3" top: "c4"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "abs" type: "AbsVal" bottom: "c4" top: "c4" }
                layer { name: "conv5" type: "Convolution" bottom: "c4" top: "c5"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                """ + MAX_HEAD.formatted("c5");
        assertAbove(compare(UnseenNets.write(dir, "activations", prototxt, 7), ALL, UnseenNets.CALIBRATION),
                List.of("conv2", "conv3", "conv4", "pool"));
    }

    /**
     * A pre-activation block: BatchNorm, Scale and ReLU in place on an Eltwise sum (no convolution before them to
     * fold into, so the simulator computes them in float). bfp gave the blob the ReLU's exponents, as after a
     * convolution whose codes a ReLU reads, and the sum was written clipped at the ReLU's range: the sum at 28 dB,
     * the BatchNorm at 15, conv2 at 26 (44.6, 32.9 and 31.2 with the sum's codes covered). The other schemes choose
     * no exponents.
     */
    @Test
    void aPreActivationBlockDoesNotClipTheSumBeforeIt() {
        String prototxt = "name: \"preact\"\n" + INPUT + """
                layer { name: "convA" type: "Convolution" bottom: "data" top: "a"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "convB" type: "Convolution" bottom: "data" top: "b"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "s" }
                layer { name: "bn" type: "BatchNorm" bottom: "s" top: "s" }
                layer { name: "scale" type: "Scale" bottom: "s" top: "s" scale_param { bias_term: true } }
                layer { name: "relu" type: "ReLU" bottom: "s" top: "s" }
                layer { name: "conv2" type: "Convolution" bottom: "s" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                """ + MAX_HEAD.formatted("c2");
        assertAbove(compare(UnseenNets.write(dir, "preact", prototxt, 7), SchemeSpec.parseList("bfp:8"),
                UnseenNets.CALIBRATION), List.of("sum", "bn", "scale", "relu", "conv2", "pool"));
    }

    /**
     * The other unusual layers in one net, every scheme: Deconvolution, a dilated convolution, BatchNorm without
     * Scale and a PReLU, a leaky ReLU, Concat along the height and the width, rectangular kernels and pooling,
     * Flatten -> InnerProduct -> Reshape -> convolution.
     */
    @Test
    void otherUnusualLayersStayWithinTheBound() {
        String prototxt = "name: \"unusual\"\n" + INPUT + """
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
                layer { name: "bn1" type: "BatchNorm" bottom: "c1" top: "c1" }
                layer { name: "prelu1" type: "PReLU" bottom: "c1" top: "c1" }
                layer { name: "up" type: "Deconvolution" bottom: "c1" top: "u"
                        convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 } }
                layer { name: "dil" type: "Convolution" bottom: "u" top: "d"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 2 dilation: 2 } }
                layer { name: "leaky" type: "ReLU" bottom: "d" top: "d" relu_param { negative_slope: 0.1 } }
                layer { name: "rect" type: "Convolution" bottom: "data" top: "r"
                        convolution_param { num_output: 4 kernel_h: 1 kernel_w: 5 pad_h: 0 pad_w: 2 } }
                layer { name: "relur" type: "ReLU" bottom: "r" top: "r" }
                layer { name: "cath" type: "Concat" bottom: "d" bottom: "r" top: "h" concat_param { axis: 2 } }
                layer { name: "catw" type: "Concat" bottom: "h" bottom: "h" top: "w" concat_param { axis: 3 } }
                layer { name: "mp" type: "Pooling" bottom: "w" top: "m"
                        pooling_param { pool: MAX kernel_h: 4 kernel_w: 8 stride_h: 4 stride_w: 8 } }
                layer { name: "flat" type: "Flatten" bottom: "m" top: "f" }
                layer { name: "ip" type: "InnerProduct" bottom: "f" top: "i" inner_product_param { num_output: 64 } }
                layer { name: "reshape" type: "Reshape" bottom: "i" top: "s"
                        reshape_param { shape { dim: 0 dim: 4 dim: 4 dim: 4 } } }
                layer { name: "conv2" type: "Convolution" bottom: "s" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "relu2" type: "ReLU" bottom: "c2" top: "c2" }
                """ + MAX_HEAD.formatted("c2");
        assertAbove(compare(UnseenNets.write(dir, "unusual", prototxt, 7), ALL, UnseenNets.CALIBRATION),
                List.of("pool"));
    }

    /** A 1-channel, non-square input (the colour images read as grey) and a V1-format net with a difference. */
    @Test
    void greyNonSquareAndV1NetsStayWithinTheBound() {
        String grey = """
                name: "grey"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 24 dim: 40 } } }
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "relu1" type: "ReLU" bottom: "c1" top: "c1" }
                layer { name: "conv2" type: "Convolution" bottom: "c1" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "relu2" type: "ReLU" bottom: "c2" top: "c2" }
                """ + MAX_HEAD.formatted("c2");
        PreprocessingFlags oneMean = new PreprocessingFlags(null, null, null, 1f, new float[] {0}, null, 1f);
        CalibrationSettings greyCalibration = new CalibrationSettings(UnseenNets.LIST, 10, 3L, null, 8, oneMean);
        assertAbove(compare(UnseenNets.write(dir, "grey", grey, 7), ALL, greyCalibration), List.of("pool"));
        String v1 = """
                name: "v1net"
                input: "data"
                input_dim: 1 input_dim: 3 input_dim: 32 input_dim: 32
                layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "c1"
                         convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layers { name: "relu1" type: RELU bottom: "c1" top: "c1" }
                layers { name: "conv2" type: CONVOLUTION bottom: "c1" top: "c2"
                         convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layers { name: "diff" type: ELTWISE bottom: "c1" bottom: "c2" top: "s"
                         eltwise_param { operation: SUM coeff: 1 coeff: -1 } }
                layers { name: "pool" type: POOLING bottom: "s" top: "pool"
                         pooling_param { pool: MAX kernel_size: 32 } }
                """;
        assertAbove(compare(UnseenNets.write(dir, "v1", v1, 7), ALL, UnseenNets.CALIBRATION), List.of("diff", "pool"));
    }

    private static Comparison.Result compare(UnseenNets.NetFiles net, List<SchemeSpec> schemes,
            CalibrationSettings calibration) {
        // passes that do not say they run in this JVM: compare keeps no float reference and scores every layer,
        // whose SQNR these tests read
        return Comparison.run(new CompareSettings(net.deploy(), net.weights(), UnseenNets.LIST, null, null, 1L,
                calibration, schemes, 8), new CountingPasses(), Progress.NONE, inputs -> { });
    }

    private static void assertAbove(Comparison.Result result, List<String> layers) {
        assertAbove(result, layers, "");
    }

    /** Every scheme's SQNR at {@code layers} above {@link #BOUND_DB}. */
    private static void assertAbove(Comparison.Result result, List<String> layers, String what) {
        for (Comparison.Scored s : result.schemes()) {
            Map<String, Double> sqnr = s.validation().layers().stream()
                    .collect(Collectors.toMap(Validation.LayerError::name, Validation.LayerError::sqnrDb));
            for (String layer : layers) {
                assertTrue(sqnr.get(layer) > BOUND_DB, what + " " + s.scheme() + " " + layer + ": " + sqnr);
            }
        }
    }
}
