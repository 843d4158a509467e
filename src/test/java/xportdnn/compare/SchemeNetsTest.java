package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.calib.ChannelStatistics;
import xportdnn.export.XilinxExporter;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.pipeline.Calibration;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.ThresholdFormat;
import xportdnn.quant.TestStatistics;
import xportdnn.sim.FixedPointNet;

/** How compare's schemes set their blocks, on hand-made statistics. */
class SchemeNetsTest {

    private static final String NET = """
            name: "chain"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 4 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            """;

    private static final String RESIDUAL = """
            name: "res"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 4 dim: 4 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "conv1" bottom: "conv2" top: "sum" }
            layer { name: "relu2" type: "ReLU" bottom: "sum" top: "sum" }
            layer { name: "conv3" type: "Convolution" bottom: "sum" top: "conv3"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            """;

    /**
     * f8net:8 keeps a residual block's accumulators at 32 bits (F8Net's reference): conv1 and conv2, which the sum
     * reads, and the sum (2 x 4 x 4 values: 128 bytes each), and conv3's output (16 values: 64 bytes), the net's
     * scores, which the reference returns as its classifier's accumulator; the image (16 values) at 8 bits. Counted
     * by hand, layer by layer (a blob lives from its writer until its last reader has run): conv1 runs with the image
     * and its output, 16 + 128; relu1 in place, 128; conv2 with conv1 and its output, 256; the sum with conv1, conv2
     * and its output, 384 (the peak); relu2 128; conv3 128 + 64. At 8 bits everywhere the peak would be 96.
     */
    @Test
    void f8netCountsResidualAccumulatorsAt32Bits() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 0.5f, -0.25f), blob(new int[] {2}, 0f, 0f)))
                .addLayer(layer("conv2", blob(new int[] {2, 2, 1, 1}, 1f, -1f, 0.5f, 0.25f),
                        blob(new int[] {2}, 0f, 0f)))
                .addLayer(layer("conv3", blob(new int[] {1, 2, 1, 1}, 1f, 1f), blob(new int[] {1}, 0f))).build();
        Net net = NetLoader.build(TestWeights.definition(RESIDUAL), weights);
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        for (String layer : List.of("data", "conv1", "conv2", "sum", "conv3")) {
            stats.put(layer, TestStatistics.of(-2, 1, 0.5f, 2));
        }
        stats.put("relu1", TestStatistics.of(0, 1, 0.5f, 2));
        stats.put("relu2", TestStatistics.of(0, 1, 0.5f, 2));
        SchemeSpec f8net = SchemeSpec.parse("f8net:8");
        NetParameter q = SchemeNets.quantize(f8net, net, new Calibration(stats, List.of("a.png"), List.of("a.png")),
                Set.of()).net();
        FixedPointNet sim = SchemeNets.simulator(f8net, NetLoader.build(q, weights), Map.of());
        for (String blob : List.of("conv1", "conv2", "sum")) {
            assertEquals(32, sim.blobFormats().get(blob).bitwidth(), blob);
        }
        assertEquals(32, sim.blobFormats().get("conv3").bitwidth());
        assertEquals(384, ModelBytes.footprint(sim, f8net));
    }

    /** 99 values of {@code bulk} and one of 100. */
    private static BlobHistograms outlier(float bulk) {
        float[] d = new float[100];
        Arrays.fill(d, bulk);
        d[99] = 100;
        return TestStatistics.of(d);
    }

    /** {@link #NET}'s statistics: every blob {@link #outlier}(-1), but relu1's output, never negative, outlier(1). */
    private static Calibration chainCalibration() {
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        stats.put("data", outlier(-1));
        stats.put("conv1", outlier(-1));
        stats.put("relu1", outlier(1));
        stats.put("conv2", outlier(-1));
        return new Calibration(stats, List.of("a.png"), List.of("a.png"));
    }

    /**
     * aciq:4 (the paper's code, submission2019/cnn-quantization, quantizes only ReLU outputs): a signed blob (99 x -1
     * and 100: mean 0.01, mean absolute deviation (99 x 1.01 + 99.99) / 100 = 1.9998) is held in 16-bit codes
     * clipped at |mean| + k(16) b = 0.01 + 20.27017164 x 1.9998 = 40.5463 (k(16): k e^k = 3 x 4^16); relu1's output (99 x 1 and 100: mean 1.99, b (99 x 0.99 + 98.01) / 100
     * = 1.9602) is never negative, so it gets unsigned 4-bit codes, 15 steps over [0, alpha], with the half-range
     * clip mean + k(5) b = 1.99 + 6.20476633 x 1.9602 = 14.1526 (k(5): k e^k = 3 x 4^5; the paper's
     * alpha_laplace_positive[4] = 6.2): the signed 5-bit format of that threshold, same step. conv2 reads it so;
     * it writes the net's scores, so as the paper's code quantizes its classifier, its weights take 8 bits and its
     * output signed 8-bit codes clipped at its calibrated max, 100.
     */
    @Test
    void aciqQuantizesReluOutputsHalfRangeInUnsignedCodes() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .addLayer(layer("conv2", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .build();
        Net net = NetLoader.build(TestWeights.definition(NET), weights);
        Calibration calibration = chainCalibration();
        NetParameter q = SchemeNets.quantize(SchemeSpec.parse("aciq:4"), net, calibration, Set.of()).net();
        Map<String, PrecisionParameter> blocks = new LinkedHashMap<>();
        q.getLayerList().forEach(l -> blocks.put(l.getName(), l.getPrecisionParam()));
        double signed = 40.5463;
        double unsigned = 14.1526;
        assertEquals(16, blocks.get("data").getBwLayerOut());
        assertEquals(signed, blocks.get("data").getThLayerOut(), 1e-3);
        PrecisionParameter conv1 = blocks.get("conv1");
        assertEquals(List.of(16, 5), List.of(conv1.getBwLayerIn(), conv1.getBwLayerOut()));
        assertEquals(signed, conv1.getThLayerIn(), 1e-3);
        assertEquals(unsigned, conv1.getThLayerOut(), 1e-3);
        assertEquals(4, conv1.getBwParams()); // the weights' average width stays B
        PrecisionParameter conv2 = blocks.get("conv2");
        assertEquals(List.of(5, 8, 8), List.of(conv2.getBwLayerIn(), conv2.getBwParams(), conv2.getBwLayerOut()));
        assertEquals(unsigned, conv2.getThLayerIn(), 1e-3);
        assertEquals(100, conv2.getThLayerOut(), 1e-3);
    }

    private static final String POOLED = """
            name: "head"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool" type: "Pooling" bottom: "conv1" top: "pool" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "conv2" type: "Convolution" bottom: "pool" top: "conv2"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            """;

    /** A one-channel statistic of the single value {@code v}. */
    private static ChannelStatistics constant(float v) {
        ChannelStatistics s = new ChannelStatistics(new float[] {v});
        s.add(new float[] {v}, 1);
        return s;
    }

    /**
     * bfp:8's blocks hold the weights' exponents (conv1's weight 0.75: exponent -1, threshold 127 x 2^(-1-6) =
     * 0.9921875) and no activation threshold: the simulator takes every blob's from the per-channel statistics. On a
     * classifier-like head: relu1's output, read by the average pooling, covers its max 100 (exponent 6, threshold
     * 127; 5 holds 63.5), the pooling writes its own exponent, covering its max 3 (exponent 1, 3.96875; 0 holds
     * 1.98) plus 2 guard bits (exponent 3 with 10-bit mantissas: 511 x 2^(3-8) = 15.96875, the step still 1/32),
     * and conv2's output, a constant 1, exponent 0 (1.984375). Every activation format keeps a convolution's bias
     * to 8 fractional bits of an output code (bfp's, not CHaiDNN's whole codes).
     */
    @Test
    void bfpBlocksHoldWeightExponentsAndTheSimulatorEveryActivationExponent() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {1, 1, 1, 1}, 0.75f), blob(new int[] {1}, 0f)))
                .addLayer(layer("conv2", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .build();
        Net net = NetLoader.build(TestWeights.definition(POOLED), weights);
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        stats.put("data", outlier(-1));
        stats.put("conv1", outlier(-1));
        stats.put("relu1", outlier(1));
        stats.put("pool", TestStatistics.of(new float[] {3, 2.5f, 1, 0.5f}));
        stats.put("conv2", outlier(-1));
        Calibration calibration = new Calibration(stats, List.of("a.png"), List.of("a.png"));
        SchemeSpec bfp = SchemeSpec.parse("bfp:8");
        NetParameter q = SchemeNets.quantize(bfp, net, calibration, Set.of()).net();
        for (var l : q.getLayerList()) {
            assertFalse(l.getPrecisionParam().hasThLayerIn() || l.getPrecisionParam().hasThLayerOut(), l.getName());
        }
        assertEquals(List.of(0.9921875f), q.getLayer(1).getPrecisionParam().getThParamsList());
        Map<String, ChannelStatistics> channels = new LinkedHashMap<>();
        channels.put("data", constant(1));
        channels.put("conv1", constant(100));
        channels.put("relu1", constant(100));
        channels.put("pool", constant(3));
        channels.put("conv2", constant(1));
        Map<String, NumberFormat> formats = SchemeNets.simulator(bfp, NetLoader.build(q, weights), channels)
                .blobFormats();
        assertEquals(new ThresholdFormat(8, 127f).withFractionalBias(), formats.get("conv1"));
        assertEquals(new ThresholdFormat(10, 15.96875f).withFractionalBias(), formats.get("pool"));
        assertEquals(new ThresholdFormat(8, 1.984375f).withFractionalBias(), formats.get("conv2"));
    }

    /** A bias past the output clip is clipped there: channel 0's 20 > 14, channel 1's -3 is within. */
    @Test
    void clippedBiasesAreCountedAgainstTheFinalOutputClip() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 1f, 1f), blob(new int[] {2}, 20f, -3f)))
                .addLayer(layer("conv2", blob(new int[] {1, 2, 1, 1}, 1f, 1f), blob(new int[] {1}, 0f)))
                .build();
        String twoChannels = NET.replaceFirst("num_output: 1", "num_output: 2");
        Net net = NetLoader.build(TestWeights.definition(twoChannels), weights);
        NetParameter.Builder q = net.definition().toBuilder();
        q.getLayerBuilder(1).setPrecisionParam(PrecisionParameter.newBuilder().setThLayerOut(14f));
        q.getLayerBuilder(3).setPrecisionParam(PrecisionParameter.newBuilder().setThLayerOut(1f));
        assertEquals(List.of("layer 'conv1': the bias of 1 of 2 channels is beyond its output clip 14.00, where the "
                + "requantization clips it (as the device's does)"), SchemeNets.clippedBiases(net, q.build()));
    }

    /**
     * conv1 has 64 channels, one of whose biases lies a fifth past xilinx:4's output threshold t of conv1: covering
     * it would cost every output more resolution than clipping it costs on average, so Xilinx mode warns that
     * CHaiDNN's runtime clips it (the text aciq filters out, checked here so that the filter follows it); aciq:4
     * warns instead against its own final clip, when the bias is beyond it.
     */
    @Test
    void aciqWarnsOfClippedBiasesAgainstItsOwnClipsNotCHaiDnnRuntime() {
        String wide = NET.replaceFirst("num_output: 1", "num_output: 64");
        float[] w1 = new float[64];
        float[] w2 = new float[64];
        Arrays.fill(w1, 1f);
        Arrays.fill(w2, 1f);
        float[] bias = new float[64];
        Calibration calibration = chainCalibration();
        java.util.function.Supplier<Net> net = () -> NetLoader.build(TestWeights.definition(wide),
                NetParameter.newBuilder()
                        .addLayer(layer("conv1", blob(new int[] {64, 1, 1, 1}, w1), blob(new int[] {64}, bias)))
                        .addLayer(layer("conv2", blob(new int[] {1, 64, 1, 1}, w2), blob(new int[] {1}, 0f)))
                        .build());
        float t = SchemeNets.quantize(SchemeSpec.parse("xilinx:4"), net.get(), calibration, Set.of()).net()
                .getLayer(1).getPrecisionParam().getThLayerOut();
        bias[0] = 1.2f * t;
        List<String> xilinx = SchemeNets.quantize(SchemeSpec.parse("xilinx:4"), net.get(), calibration, Set.of())
                .notices().stream().map(n -> n.text()).toList();
        assertTrue(xilinx.stream().anyMatch(text -> text.contains(SchemeNets.XILINX_BIAS_CLIP)), xilinx.toString());
        var aciq = SchemeNets.quantize(SchemeSpec.parse("aciq:4"), net.get(), calibration, Set.of());
        List<String> texts = aciq.notices().stream().map(n -> n.text()).toList();
        float clip = aciq.net().getLayer(1).getPrecisionParam().getThLayerOut();
        assertEquals(bias[0] > clip ? List.of(String.format(java.util.Locale.ROOT, "layer 'conv1': the bias of 1 of "
                + "64 channels is beyond its output clip %.4g, where the requantization clips it (as the device's "
                + "does)", clip)) : List.of(), texts);
    }

    /**
     * conv1's second weight channel is all zeros, a threshold of 0: the Xilinx exporter writes a stand-in for it and
     * warns (CHaiDNN's runtime divides by thresholds), so xilinx:8 says so; naive, bfp and aciq, which only the
     * simulator runs, do not pass that warning on.
     */
    @Test
    void onlyChaiDnnSchemesWarnOfTheZeroThresholdStandIn() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 1f, 0f), blob(new int[] {2}, 0f, 0f)))
                .addLayer(layer("conv2", blob(new int[] {1, 2, 1, 1}, 1f, 1f), blob(new int[] {1}, 0f)))
                .build();
        Net net = NetLoader.build(TestWeights.definition(NET.replaceFirst("num_output: 1", "num_output: 2")),
                weights);
        Calibration calibration = chainCalibration();
        for (String scheme : List.of("xilinx:8", "naive:8", "bfp:8", "aciq:4")) {
            List<String> texts = SchemeNets.quantize(SchemeSpec.parse(scheme), net, calibration, Set.of()).notices()
                    .stream().map(n -> n.text()).toList();
            boolean warned = texts.stream().anyMatch(t -> t.contains(XilinxExporter.ZERO_THRESHOLD));
            assertEquals(scheme.startsWith("xilinx"), warned, scheme + ": " + texts);
        }
    }
}
