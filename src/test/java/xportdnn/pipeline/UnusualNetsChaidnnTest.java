package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.LayerType;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ThresholdMethod;

/**
 * CHaiDNN's two export modes (Xilinx thresholds, DynamicFixed with {@code --fl_bitwidths auto}) as the exporter
 * writes them and the simulator runs them, at 8 and 6 bits, on small random nets ({@link UnseenNets}, seeded) unlike
 * the shared ones, each with one unusual structure after a convolution. Every layer's SQNR against the float engine
 * on the images the calibration left out must pass a bound from the bits, and the written prototxt must keep the
 * spec's rules (spec/chaidnn-precision.md sections 2, 3).
 *
 * <p>The bound. {@code compare}'s audit ({@code UnusualNetsSchemesTest}) derives 23 dB at 8 bits: a symmetric
 * rounding over a threshold T of a signal of rms s has an SQNR of 20 log10(127) + 10.8 - 20 log10(T / s) = 52.9 dB -
 * crest, the crest of these blobs stays below 18 dB, and a path of up to 12 roundings of comparable size loses
 * 10.8 dB more. At 6 bits 20 log10(31) replaces 20 log10(127): 12.2 dB less, 11 dB. DynamicFixed's ranges are
 * powers of two, rounded up from the range wanted: between 1 and 2 times T, 3 dB on average, so 3 dB less: 20 and
 * 8 dB. A clip, or a value rounded on another blob's scale, costs 15 to 40 dB.
 */
class UnusualNetsChaidnnTest {

    static final String INPUT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            layer { name: "conv0" type: "Convolution" bottom: "data" top: "c0"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "relu0" type: "ReLU" bottom: "c0" top: "c0" }
            """;

    /** Global max pooling of {@code blob}: the "class scores" validate reads (the images have 3 labels). */
    static String head(String blob) {
        return """
                layer { name: "head" type: "Pooling" bottom: "%s" top: "head"
                        pooling_param { pool: MAX global_pooling: true } }
                """.formatted(blob);
    }

    /** Added to the weights of a bias-free convolution: inputs of an Eltwise or Concat with ranges alike. */
    static final float ALIKE_DC = 0.5f;
    /** The same, far apart: relu0's range about 3, the bias-free convolution's some hundreds. */
    static final float APART_DC = 20;

    /**
     * The nets, each a convolution with a ReLU then one unusual structure, ending in a global max pooling (the
     * "class scores" validate reads): a Slice of three outputs read by a convolution, a 1x1 convolution and a
     * pooling; Eltwise of relu0 and a bias-free convolution (plain sum, weighted sum, product, max) and a Concat of
     * the same; Deconvolution; grouped then depthwise convolution; InnerProduct on a 4-D pooled blob; LRN; PReLU,
     * leaky ReLU and Sigmoid in place, TanH not, each between convolutions (float on the ARM: the simulator
     * computes them in float on the codes before, and the next convolution quantizes their output with its own
     * th_layer_in / fl_layer_in); BatchNorm + Scale after a pooling; Permute, Flatten and Reshape between
     * convolutions; two outputs; 3x3 and 2x2 average pooling that tile their input; dilations 2 and 3.
     */
    static final Map<String, String> NETS = new LinkedHashMap<>();
    /** The Eltwise and Concat nets, run with {@link #APART_DC}. */
    static final Map<String, String> UNEVEN = new LinkedHashMap<>();

    static {
        NETS.put("slice", INPUT + """
                layer { name: "slice" type: "Slice" bottom: "c0" top: "lo" top: "mid" top: "hi"
                        slice_param { axis: 1 slice_point: 3 slice_point: 5 } }
                layer { name: "convLo" type: "Convolution" bottom: "lo" top: "cl"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "convMid" type: "Convolution" bottom: "mid" top: "cm"
                        convolution_param { num_output: 4 kernel_size: 1 } }
                layer { name: "poolHi" type: "Pooling" bottom: "hi" top: "ph"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "convHi" type: "Convolution" bottom: "ph" top: "ch"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                """ + head("ch"));
        for (String op : List.of("operation: SUM", "operation: SUM coeff: 0.5 coeff: 2", "operation: PROD",
                "operation: MAX")) {
            NETS.put("eltwise " + op, INPUT + """
                    layer { name: "convB" type: "Convolution" bottom: "data" top: "b"
                            convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
                    layer { name: "e" type: "Eltwise" bottom: "c0" bottom: "b" top: "p" eltwise_param { %s } }
                    layer { name: "convC" type: "Convolution" bottom: "p" top: "c"
                            convolution_param { num_output: 8 kernel_size: 1 } }
                    """.formatted(op) + head("c"));
        }
        NETS.put("concat", INPUT + """
                layer { name: "convB" type: "Convolution" bottom: "data" top: "b"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
                layer { name: "reluB" type: "ReLU" bottom: "b" top: "b" }
                layer { name: "cat" type: "Concat" bottom: "c0" bottom: "b" top: "k" }
                layer { name: "convC" type: "Convolution" bottom: "k" top: "c"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                """ + head("c"));
        NETS.put("deconvolution", INPUT + """
                layer { name: "up" type: "Deconvolution" bottom: "c0" top: "u"
                        convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 } }
                layer { name: "reluU" type: "ReLU" bottom: "u" top: "u" }
                layer { name: "conv1" type: "Convolution" bottom: "u" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 } }
                """ + head("c1"));
        NETS.put("grouped", INPUT + """
                layer { name: "grouped" type: "Convolution" bottom: "c0" top: "g"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 group: 2 } }
                layer { name: "reluG" type: "ReLU" bottom: "g" top: "g" }
                layer { name: "dw" type: "Convolution" bottom: "g" top: "d"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 group: 8 } }
                layer { name: "reluD" type: "ReLU" bottom: "d" top: "d" }
                layer { name: "conv1" type: "Convolution" bottom: "d" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                """ + head("c1"));
        NETS.put("innerproduct", INPUT + """
                layer { name: "pool" type: "Pooling" bottom: "c0" top: "p"
                        pooling_param { pool: MAX kernel_size: 4 stride: 4 } }
                layer { name: "ip" type: "InnerProduct" bottom: "p" top: "i" inner_product_param { num_output: 16 } }
                """);
        NETS.put("lrn", INPUT + """
                layer { name: "lrn" type: "LRN" bottom: "c0" top: "n"
                        lrn_param { local_size: 5 alpha: 0.1 beta: 0.75 } }
                layer { name: "conv1" type: "Convolution" bottom: "n" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                """ + head("c1"));
        NETS.put("activations", """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
                layer { name: "conv0" type: "Convolution" bottom: "data" top: "c0"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "prelu" type: "PReLU" bottom: "c0" top: "c0" }
                layer { name: "conv1" type: "Convolution" bottom: "c0" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "leaky" type: "ReLU" bottom: "c1" top: "c1" relu_param { negative_slope: 0.1 } }
                layer { name: "conv2" type: "Convolution" bottom: "c1" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "sig" type: "Sigmoid" bottom: "c2" top: "c2" }
                layer { name: "conv3" type: "Convolution" bottom: "c2" top: "c3"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "tanh" type: "TanH" bottom: "c3" top: "t" }
                layer { name: "conv4" type: "Convolution" bottom: "t" top: "c4"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                """ + head("c4"));
        NETS.put("batchnorm", INPUT + """
                layer { name: "pool" type: "Pooling" bottom: "c0" top: "p"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "bn" type: "BatchNorm" bottom: "p" top: "p" }
                layer { name: "scale" type: "Scale" bottom: "p" top: "p" scale_param { bias_term: true } }
                layer { name: "conv1" type: "Convolution" bottom: "p" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                """ + head("c1"));
        NETS.put("rearranging", INPUT + """
                layer { name: "perm" type: "Permute" bottom: "c0" top: "pm"
                        permute_param { order: 0 order: 1 order: 3 order: 2 } }
                layer { name: "conv1" type: "Convolution" bottom: "pm" top: "c1"
                        convolution_param { num_output: 4 kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "flat" type: "Flatten" bottom: "c1" top: "f" }
                layer { name: "reshape" type: "Reshape" bottom: "f" top: "r"
                        reshape_param { shape { dim: 0 dim: 16 dim: 8 dim: 8 } } }
                layer { name: "conv2" type: "Convolution" bottom: "r" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                """ + head("c2"));
        NETS.put("two outputs", INPUT + """
                layer { name: "conv1" type: "Convolution" bottom: "c0" top: "c1"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "conv2" type: "Convolution" bottom: "c0" top: "c2"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
                layer { name: "relu2" type: "ReLU" bottom: "c2" top: "c2" }
                layer { name: "pool2" type: "Pooling" bottom: "c2" top: "p2"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                """ + head("p2"));
        NETS.put("average", INPUT + """
                layer { name: "ave" type: "Pooling" bottom: "c0" top: "a"
                        pooling_param { pool: AVE kernel_size: 3 stride: 1 pad: 1 } }
                layer { name: "conv1" type: "Convolution" bottom: "a" top: "c1"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "ave2" type: "Pooling" bottom: "c1" top: "a2"
                        pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
                """ + head("a2"));
        NETS.put("dilation", INPUT + """
                layer { name: "dil2" type: "Convolution" bottom: "c0" top: "d2"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 2 dilation: 2 } }
                layer { name: "reluD" type: "ReLU" bottom: "d2" top: "d2" }
                layer { name: "dil3" type: "Convolution" bottom: "d2" top: "d3"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 3 dilation: 3 } }
                """ + head("d3"));
        NETS.forEach((name, net) -> {
            if (name.startsWith("eltwise") || name.equals("concat")) {
                UNEVEN.put(name, net);
            }
        });
    }

    /**
     * The layers of the "batchnorm" net from its BatchNorm/Scale pair on: the device runs the pair after a pooling
     * as an op of its own, which ends in a ReLU whatever the net says (BatchNormPairsCheck), and DynamicFixed mode
     * simulates that (StandaloneBatchNorm), so there they differ from Caffe's by design (the Scale at 1.6 dB, 8 bits).
     */
    private static final Set<String> RECTIFIED_BY_THE_DEVICE = Set.of("scale", "conv1", "head");

    @TempDir
    Path dir;

    /** 23 dB at 8 bits less the levels the bitwidth loses, and 3 dB less in DynamicFixed (class comment). */
    static double bound(QuantType type, int bits) {
        return 23 - 20 * Math.log10(127 / (Math.scalb(1.0, bits - 1) - 1)) - (type == QuantType.DynamicFixed ? 3 : 0);
    }

    static Stream<Arguments> modes() {
        return Stream.of(QuantType.values()).flatMap(t -> Stream.of(Arguments.of(t, 8), Arguments.of(t, 6)));
    }

    /**
     * Every net, every layer above the bound, and its prototxt by the spec's rules. Before the fix, the BatchNorm
     * and Scale after a pooling shared their input's threshold (the walk fuses in-place BatchNorm/Scale into the
     * layer writing the blob, right only after a convolution): the Scale's normalized range went back through the
     * pooling to relu0, which wrote its codes clipped to it: bn at 16.9 dB (Xilinx, 8 bits), 18.5 (DynamicFixed,
     * 8 bits), 9.3 (DynamicFixed, 6 bits); now 26.4, 24.6, 13.8. And DynamicFixed mode wrote a block on an Eltwise
     * CHaiDNN does not run (with coeff, or MAX), which Xilinx mode rightly leaves without one.
     */
    @ParameterizedTest
    @MethodSource("modes")
    void everyNetStaysWithinTheBoundAndTheSpec(QuantType type, int bits) throws IOException {
        int n = 0;
        for (Map.Entry<String, String> e : NETS.entrySet()) {
            UnseenNets.NetFiles net = UnseenNets.write(dir, "net" + n++, "name: \"x\"\n" + e.getValue(), 7,
                    ALIKE_DC, 0);
            if (e.getKey().equals("slice")) {
                scaleChannels(net, "conv0", 3, 4); // the Slice's first output 4 times smaller than the others
            }
            // KL-J, Xilinx's default, clips a depthwise output at 8 bits (below)
            ThresholdMethod method = e.getKey().equals("grouped") && bits == 8 ? ThresholdMethod.parse("max") : null;
            UnseenNets.Run run = UnseenNets.run(net, dir, type, new InParamsOut(bits, bits, bits), method, false,
                    false);
            String what = e.getKey() + " " + type + " " + bits + ": ";
            boolean rectified = type == QuantType.DynamicFixed && e.getKey().equals("batchnorm");
            if (rectified) { // the device's BatchNorm op ends in a ReLU: warned of, and simulated so
                assertTrue(run.export().notices().stream().anyMatch(w -> w.text().contains("with no ReLU after")),
                        what + run.export().notices());
            }
            run.sqnrDb().forEach((layer, db) -> assertTrue(db > bound(type, bits)
                    || rectified && RECTIFIED_BY_THE_DEVICE.contains(layer), what + layer + " " + run.sqnrDb()));
            assertKeepsTheSpec(run.quantized(), type, bits, what);
            assertTrue(run.export().notices().stream().noneMatch(w -> w.text().contains("on one scale")),
                    what + run.export().notices());
        }
    }

    /**
     * KL-J (algorithms.md A) picks its threshold at bin 2^(bw-1) + 1 or later of about sqrt(N) (here some 290),
     * so at 8 bits it may clip at about half the maximum. Here it clips the depthwise convolution's heavy-tailed
     * output: reluD at 25.3 dB, the next convolution at 22.9, just under the bound that max thresholds meet (31.4,
     * 28.4; at 6 bits KL-J is the better one, 20.7 against 19.2). The method's choice, not a fault of the walk:
     * held 2 dB under.
     */
    @Test
    void klJClipsTheDepthwiseOutputAtEightBits() {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "grouped", "name: \"x\"\n" + NETS.get("grouped"), 7,
                ALIKE_DC, 0);
        UnseenNets.Run run = UnseenNets.run(net, dir, QuantType.Xilinx, UnseenNets.EIGHT, null, false, false);
        run.sqnrDb().forEach((layer, db) -> assertTrue(db > bound(QuantType.Xilinx, 8) - 2,
                layer + " " + run.sqnrDb()));
    }

    /**
     * A Slice's one threshold covers all its outputs: the calibration adds every top to the layer's histogram, so
     * the readers of its larger outputs are not clipped to its first output's range (4 times smaller here); it is
     * the range of the blob it slices (the same values).
     */
    @Test
    void aSliceThresholdCoversEveryOutput() throws IOException {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "slice", "name: \"x\"\n" + NETS.get("slice"), 7);
        scaleChannels(net, "conv0", 3, 4);
        UnseenNets.Run run = UnseenNets.run(net, dir, QuantType.Xilinx, false, false);
        Map<String, PrecisionParameter> blocks = blocks(run.quantized());
        float sliced = blocks.get("relu0").getThLayerOut();
        for (String reader : List.of("convLo", "convMid", "poolHi")) {
            assertEquals(sliced, blocks.get(reader).getThLayerIn(), 1e-3 * sliced, reader);
        }
    }

    /**
     * The device reads a Concat's or Eltwise's inputs on one scale (algorithms.md A, spec 6: "Concat inputs with
     * different ranges"), so an input far smaller than the other is written in few codes: relu0 (range about 3)
     * next to a bias-free convolution with a DC of 20 in its weights (range some hundreds) falls to 0 to 4 dB. The
     * device's behaviour, kept; each such layer is warned about once, naming it and the small input. A product also
     * carries the small input's error (3.5 dB at the product, Xilinx, 8 bits).
     */
    @ParameterizedTest
    @MethodSource("modes")
    void inputsOnFarApartScalesAreWarnedAbout(QuantType type, int bits) {
        int n = 0;
        for (Map.Entry<String, String> e : UNEVEN.entrySet()) {
            UnseenNets.NetFiles net = UnseenNets.write(dir, "apart" + n++, "name: \"x\"\n" + e.getValue(), 7,
                    APART_DC, 0);
            UnseenNets.Run run = UnseenNets.run(net, dir, type, new InParamsOut(bits, bits, bits), null, false, false);
            String layer = e.getKey().equals("concat") ? "cat" : "e";
            List<String> warned = run.export().notices().stream().filter(Notice::warning).map(Notice::text)
                    .filter(t -> t.contains("on one scale")).toList();
            assertEquals(1, warned.size(), e.getKey() + " " + run.export().notices());
            assertTrue(warned.get(0).startsWith("layer '" + layer + "'") && warned.get(0).contains("input 'c0'"),
                    warned.get(0));
            assertTrue(run.sqnrDb().get("relu0") < 5, e.getKey() + " " + run.sqnrDb()); // as the device does
        }
    }

    /**
     * An SENet-style gated residual, {@code x + x * sigmoid(conv(x))}: the sum exceeds x's range, so it is written in
     * a threshold (format) of its own from its calibrated output, larger than its inputs' shared one, and keeps the
     * bound. Written on its inputs' scale (the rule before 2026-12-07), its values above x's range saturated: the
     * sum at 19.6 dB (Xilinx, 8 bits: threshold 3.27 for a sum reaching about twice that), 19.4 (Xilinx, 6 bits),
     * 24.5 (DynamicFixed, 8 bits), where its own range gives 35.9, 24.2 and 33.7 (DynamicFixed, 6 bits: 21.9 and
     * 21.6, the least-error format one bit coarser).
     */
    @ParameterizedTest
    @MethodSource("modes")
    void aSumBeyondItsInputsRangesIsWrittenInItsOwnRange(QuantType type, int bits) throws IOException {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "gated", "name: \"x\"\n" + INPUT + """
                layer { name: "convS" type: "Convolution" bottom: "c0" top: "s"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                layer { name: "sig" type: "Sigmoid" bottom: "s" top: "s" }
                layer { name: "gate" type: "Eltwise" bottom: "c0" bottom: "s" top: "g"
                        eltwise_param { operation: PROD } }
                layer { name: "sum" type: "Eltwise" bottom: "c0" bottom: "g" top: "y" }
                layer { name: "convC" type: "Convolution" bottom: "y" top: "c"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                """ + head("c"), 7, ALIKE_DC, 0);
        UnseenNets.Run run = UnseenNets.run(net, dir, type, new InParamsOut(bits, bits, bits), null, false, false);
        String what = type + " " + bits + ": ";
        PrecisionParameter sum = blocks(run.quantized()).get("sum");
        if (type == QuantType.Xilinx) {
            assertTrue(sum.getThLayerOut() > sum.getThLayerIn(), what + sum);
        } else {
            assertTrue(sum.getFlLayerOut() < sum.getFlLayerIn(), what + sum);
        }
        run.sqnrDb().forEach((layer, db) -> assertTrue(db > bound(type, bits), what + layer + " " + run.sqnrDb()));
        assertKeepsTheSpec(run.quantized(), type, bits, what);
    }

    /** The blocks of a written prototxt, by layer. */
    private static Map<String, PrecisionParameter> blocks(Path quantized) throws IOException {
        Map<String, PrecisionParameter> blocks = new HashMap<>();
        for (LayerParameter l : written(quantized).getLayerList()) {
            if (l.hasPrecisionParam()) {
                blocks.put(l.getName(), l.getPrecisionParam());
            }
        }
        return blocks;
    }

    private static NetParameter written(Path quantized) throws IOException {
        NetParameter.Builder net = NetParameter.newBuilder();
        TextFormat.getParser().merge(Files.readString(quantized), net);
        return net.build();
    }

    /**
     * Spec sections 2 and 3: a block on exactly the supported layers of the types that carry one in the mode, with
     * the mode's fields, the run's bitwidth, positive thresholds (one th_params per output channel); and every layer
     * reads a blob in the format its writer wrote it (all inputs of an Eltwise or Concat).
     */
    private static void assertKeepsTheSpec(Path quantized, QuantType type, int bits, String what) throws IOException {
        boolean xilinx = type == QuantType.Xilinx;
        Map<String, Float> written = new HashMap<>(); // per blob, its writer's th_layer_out or fl_layer_out
        for (LayerParameter l : written(quantized).getLayerList()) {
            LayerType t = LayerType.of(l.getType());
            boolean carries = (xilinx ? t.carriesXilinxBlock() : t.carriesDynamicFixedBlock())
                    && ChaidnnSupport.of(l) != ChaidnnSupport.UNSUPPORTED;
            assertEquals(carries, l.hasPrecisionParam(), what + l.getName());
            if (!carries) {
                l.getTopList().forEach(written::remove);
                continue;
            }
            PrecisionParameter p = l.getPrecisionParam();
            Set<String> fields = new TreeSet<>();
            for (FieldDescriptor f : p.getAllFields().keySet()) {
                fields.add(f.getName());
            }
            assertEquals(expectedFields(t, xilinx), fields, what + l.getName());
            assertEquals(bits, p.getBwLayerOut(), what + l.getName());
            float out = xilinx ? p.getThLayerOut() : p.getFlLayerOut();
            if (t != LayerType.INPUT) {
                assertEquals(bits, p.getBwLayerIn(), what + l.getName());
                float in = xilinx ? p.getThLayerIn() : p.getFlLayerIn();
                if (xilinx) {
                    assertTrue(in > 0 && out > 0, what + l.getName());
                }
                List<String> read = t == LayerType.ELTWISE || t == LayerType.CONCAT ? l.getBottomList()
                        : List.of(l.getBottom(0));
                for (String b : read) {
                    if (written.containsKey(b)) {
                        assertEquals(written.get(b), in, 0f, what + l.getName() + " reads " + b);
                    }
                }
            }
            if (xilinx && (t == LayerType.CONVOLUTION || t == LayerType.DECONVOLUTION)) {
                assertEquals(l.getConvolutionParam().getNumOutput(), p.getThParamsCount(), what + l.getName());
                p.getThParamsList().forEach(th -> assertTrue(th > 0, what + l.getName()));
            }
            l.getTopList().forEach(top -> written.put(top, out));
        }
    }

    private static Set<String> expectedFields(LayerType t, boolean xilinx) {
        Set<String> f = new TreeSet<>();
        if (xilinx) {
            if (t == LayerType.INPUT) {
                return Set.of("bw_layer_out", "th_layer_out");
            }
            f.addAll(List.of("bw_layer_in", "bw_layer_out", "th_layer_in", "th_layer_out"));
            if (t == LayerType.CONVOLUTION || t == LayerType.DECONVOLUTION) {
                f.addAll(List.of("bw_params", "th_params"));
            }
            if (t != LayerType.RELU) {
                f.add("quant_type");
            }
            return f;
        }
        f.addAll(List.of("bw_layer_in", "bw_layer_out", "fl_layer_in", "fl_layer_out", "quant_type"));
        if (t == LayerType.CONVOLUTION) {
            f.addAll(List.of("bw_params", "fl_params"));
        }
        if (t == LayerType.BATCH_NORM) {
            f.addAll(List.of("batchnorm_mean_bw", "batchnorm_mean_fl", "batchnorm_variance_bw",
                    "batchnorm_variance_fl"));
        }
        if (t == LayerType.SCALE) {
            f.addAll(List.of("scale_gamma_bw", "scale_gamma_fl", "scale_beta_bw", "scale_beta_fl",
                    "scale_gamma_by_std_bw", "scale_gamma_by_std_fl"));
        }
        return f;
    }

    /** Multiplies the weights and bias of {@code layer}'s output channels from {@code from} on by {@code factor}. */
    private static void scaleChannels(UnseenNets.NetFiles net, String layer, int from, float factor)
            throws IOException {
        NetParameter.Builder model = NetParameter.parseFrom(Files.readAllBytes(net.weights())).toBuilder();
        for (LayerParameter.Builder l : model.getLayerBuilderList()) {
            if (!l.getName().equals(layer)) {
                continue;
            }
            for (int b = 0; b < l.getBlobsCount(); b++) {
                BlobProto.Builder blob = l.getBlobsBuilder(b);
                int perChannel = (int) (blob.getDataCount() / blob.getShape().getDim(0));
                for (int i = from * perChannel; i < blob.getDataCount(); i++) {
                    blob.setData(i, blob.getData(i) * factor);
                }
            }
        }
        Files.write(net.weights(), model.build().toByteArray());
    }
}
