package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.InParamsOut;

/**
 * A pre-activation block (convolutions, Eltwise SUM, then BatchNorm and Scale, which CHaiDNN runs as an op of its
 * own) exported in DynamicFixed and simulated: the pair's output codes are those of
 * {@link StandaloneBatchNormReference} on the sum's codes, with the exported blocks' fields.
 */
class StandaloneBatchNormNetTest {

    private static final String HEAD = """
            name: "preact"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 6 dim: 6 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 5 kernel_size: 3 pad: 1 } }
            layer { name: "conv2" type: "Convolution" bottom: "data" top: "conv2"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "conv1" bottom: "conv2" top: "sum"
                    eltwise_param { operation: SUM } }
            layer { name: "bn" type: "BatchNorm" bottom: "sum" top: "sum" batch_norm_param { eps: 0.001 } }
            layer { name: "sc" type: "Scale" bottom: "sum" top: "sum" scale_param { bias_term: true } }
            """;

    private static final int BATCH = 2;
    private static final int FL = 4;

    /** The exported net, its weights, and the simulator on it. */
    private record Exported(NetParameter definition, NetParameter weights, NetParameter quantized) {

        static Exported of(String prototxt) {
            NetParameter definition = TestWeights.definition(prototxt);
            NetParameter weights = TestWeights.random(definition, 12);
            Net net = NetLoader.build(definition, weights);
            NetParameter quantized = DynamicFixedExporter.export(net, new InParamsOut(8, 8, 8),
                    new InParamsOut(FL, 6, FL), false).net();
            return new Exported(definition, weights, quantized);
        }

        PrecisionParameter block(String layer) {
            return quantized.getLayerList().stream().filter(l -> l.getName().equals(layer)).findFirst()
                    .map(LayerParameter::getPrecisionParam).orElseThrow();
        }

        float[] blob(String layer, int index) {
            List<Float> data = weights.getLayerList().stream().filter(l -> l.getName().equals(layer)).findFirst()
                    .orElseThrow().getBlobs(index).getDataList();
            float[] values = new float[data.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = data.get(i);
            }
            return values;
        }

        /** The reference's output codes for the pair on the sum's codes {@code sum}. */
        int[] reference(int[] sum) {
            float[] factor = blob("bn", 2);
            float[] mean = blob("bn", 0);
            float[] variance = blob("bn", 1);
            for (int c = 0; c < mean.length; c++) {
                mean[c] /= factor[0];
                variance[c] /= factor[0];
            }
            PrecisionParameter bn = block("bn");
            PrecisionParameter sc = block("sc");
            return new StandaloneBatchNormReference().run(sum, 5, 36, mean, variance, 0.001f, blob("sc", 0),
                    blob("sc", 1), bn.getFlLayerIn(), sc.getScaleGammaByStdFl(), sc.getScaleBetaFl(),
                    sc.getFlLayerOut(), sc.getBwLayerOut());
        }
    }

    private static float[] input() {
        Random r = new Random(5);
        float[] input = new float[BATCH * 3 * 36];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        return input;
    }

    private static int[] codes(float[] values, int fl) {
        int[] codes = new int[values.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = Math.round(Math.scalb(values[i], fl));
            assertEquals(values[i], Math.scalb((float) codes[i], -fl), "not a code of fl " + fl);
        }
        return codes;
    }

    /**
     * With the ReLU in place after the pair (a pre-activation ResNet): the pair and the ReLU are one step reported
     * as the ReLU, its codes the reference's on the sum's codes, with no note of a float layer.
     */
    @Test
    void pairAfterAnEltwiseIsComputedAsTheDeviceDoes() {
        Exported e = Exported.of(HEAD + """
                layer { name: "relu" type: "ReLU" bottom: "sum" top: "sum" }
                layer { name: "conv3" type: "Convolution" bottom: "sum" top: "conv3"
                        convolution_param { num_output: 4 kernel_size: 1 } }
                """);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(e.quantized(), e.weights()));
        Map<String, float[]> seen = new HashMap<>();
        sim.forwardValues(input(), BATCH, (layer, tops) -> seen.put(layer.name(), tops.get(0).clone()));
        assertEquals(Map.of("bn", "relu", "sc", "relu"), sim.fusedLayers());
        assertEquals(List.of("data", "conv1", "conv2", "sum", "relu", "conv3"), sim.reportedLayers());
        assertEquals(List.of(), sim.notes());
        int[] sum = codes(seen.get("sum"), e.block("sum").getFlLayerOut());
        int[] expected = e.reference(sum);
        assertArrayEquals(expected, codes(seen.get("relu"), e.block("sc").getFlLayerOut()));
        assertTrue(Arrays.stream(expected).filter(v -> v > 0).count() > expected.length / 4,
                "most outputs are zero: a weak test");
    }

    /**
     * With no ReLU after the pair: the device's op rectifies anyway, so the simulated outputs are all at least 0
     * (the reference's codes) where the float net's have negatives.
     */
    @Test
    void pairWithoutReluIsRectifiedAsOnTheDevice() {
        Exported e = Exported.of(HEAD);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(e.quantized(), e.weights()));
        Map<String, float[]> seen = new HashMap<>();
        float[] fixed = Tensors.floats(sim.forward(input(), BATCH, (layer, tops) -> seen.put(layer.name(),
                Tensors.floats(tops.get(0)))).get("sum"));
        assertEquals(Map.of("bn", "sc"), sim.fusedLayers());
        int[] expected = e.reference(codes(seen.get("sum"), e.block("sum").getFlLayerOut()));
        assertArrayEquals(expected, codes(fixed, e.block("sc").getFlLayerOut()));
        float[] real = Tensors.floats(new FloatEngine(NetLoader.build(e.definition(), e.weights()))
                .forward(input(), BATCH, null).get("sum"));
        assertTrue(Arrays.stream(codes(fixed, FL)).allMatch(v -> v >= 0));
        long negative = 0;
        for (float v : real) {
            negative += v < 0 ? 1 : 0;
        }
        assertTrue(negative > real.length / 4, "the float net has " + negative + " negative outputs");
    }

    /**
     * Asked for in float ({@code validate --float_layers}) by either name, the pair runs in float as one request:
     * both layers are listed as floated, neither is fused, and the Scale's output keeps the float net's negatives.
     */
    @Test
    void floatRequestForEitherLayerFloatsThePair() {
        Exported e = Exported.of(HEAD);
        for (String asked : List.of("bn", "sc")) {
            FixedPointNet sim = new FixedPointNet(NetLoader.build(e.quantized(), e.weights()), Set.of(asked));
            assertEquals(Set.of("bn", "sc"), sim.floatLayers(), asked);
            assertEquals(Map.of(), sim.fusedLayers(), asked);
            float[] out = Tensors.floats(sim.forward(input(), BATCH, null).get("sum"));
            int negative = 0;
            for (float v : out) {
                negative += v < 0 ? 1 : 0;
            }
            assertTrue(negative > 0, asked);
        }
    }

    /** In Xilinx mode the pair stays a float step, with its note (the device's formula there is not known). */
    @Test
    void xilinxModeKeepsThePairInFloat() {
        String xilinx = HEAD.replace("batch_norm_param { eps: 0.001 } }", "batch_norm_param { eps: 0.001 } "
                + "precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 4 th_layer_out: 4 "
                + "quant_type: \"Xilinx\" } }");
        NetParameter definition = TestWeights.definition(xilinx);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(definition, TestWeights.random(definition, 12)));
        assertEquals(Map.of(), sim.fusedLayers());
        assertTrue(sim.notes().contains("layer 'bn' (BatchNorm): runs on the device but is simulated in float"),
                sim.notes().toString());
    }
}
