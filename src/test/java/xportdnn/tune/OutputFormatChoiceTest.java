package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.AveragePooling;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.precision.ThresholdFormat;
import xportdnn.sim.FixedPointNet;

/**
 * The output-format choice on a net small enough to check by hand: a 1x1 convolution with weight 1 copies its
 * input (threshold 8, 8 bits) to an output whose exported threshold is 2, so every value above 2 is clipped. The
 * inputs are codes of the input format, so with an output threshold of 8 the device's output codes equal the
 * input codes and the output is exact: the choice must find 8 (the largest candidate, 2 x 2^(16/8)) and every
 * block reading or passing the value must follow.
 */
class OutputFormatChoiceTest {

    private static final String NET = """
            name: "copy"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 4 } }
                    precision_param { bw_layer_out: 8 th_layer_out: 8 } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 8 th_layer_out: 2
                                      th_params: 1 quant_type: "Xilinx" } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv"
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 2 th_layer_out: 2 } }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 1 stride: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 2 th_layer_out: 2
                                      quant_type: "Xilinx" } }
            layer { name: "next" type: "Convolution" bottom: "pool" top: "next"
                    convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 2 th_layer_out: 8
                                      th_params: 1 quant_type: "Xilinx" } }
            """;

    /** Input codes of two images (step 8/127): 0.50, 3.02, 5.04, 7.50 and 1.01, 2.52, 4.03, 6.61. */
    private static final int[] CODES = {8, 48, 80, 119, 16, 40, 64, 105};

    @Test
    void findsTheThresholdThatStopsTheClippingAndConsumersFollow() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .addLayer(layer("next", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f))).build();
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, weights);
        PrecisionScheme scheme = PrecisionScheme.of(net);
        Layer conv = net.layer("conv");
        FormatGroups.Group group = new FormatGroups(net, true).of("conv");
        assertEquals(Set.of("conv"), group.writers());
        assertNull(group.pooledBy());

        NumberFormat input = scheme.input(conv, PrecisionScheme.block(conv));
        float[] x = input.dequantize(CODES, CODES.length);
        OutputSamples samples = new OutputSamples(new PatchSampler(
                ConvGeometry.of(conv.param(), new int[] {2, 1, 1, 4}), new int[] {2, 1, 1, 4}, 256, 1),
                new float[] {1}, new float[] {0}, true);
        samples.add(x, CODES, 2);
        NumberFormat weightFormat = scheme.weights(conv, PrecisionScheme.block(conv), conv.weights().get(0), false);
        OutputFormatChoice.Writer writer = new OutputFormatChoice.Writer(conv, samples, new int[] {127}, input,
                weightFormat, true, f -> new float[] {0});
        Map<String, Integer> order = order(definition);

        OutputFormatChoice.Choice choice = OutputFormatChoice.choose(net, definition, scheme, group, List.of(writer),
                order);

        assertEquals(new ThresholdFormat(8, 2f), choice.before());
        assertEquals(new ThresholdFormat(8, 8f), choice.after());
        // Clipped at 2: (3.02-2)^2 + (5.04-2)^2 + (7.50-2)^2 + (2.52-2)^2 + (4.03-2)^2 + (6.61-2)^2, about 74
        double clipped = 0;
        for (float v : x) {
            clipped += Math.pow(Math.max(0, v - 2), 2);
        }
        assertEquals(clipped, choice.errorBefore(), 0.05 * clipped);
        assertEquals(0, choice.errorAfter(), 1e-9);
        NetParameter chosen = choice.definition();
        for (String name : List.of("conv", "relu", "pool")) {
            assertEquals(8f, chosen.getLayer(order.get(name)).getPrecisionParam().getThLayerOut(), name);
        }
        for (String name : List.of("relu", "pool", "next")) {
            assertEquals(8f, chosen.getLayer(order.get(name)).getPrecisionParam().getThLayerIn(), name);
        }
        assertEquals(8f, chosen.getLayer(order.get("next")).getPrecisionParam().getThLayerOut(), "its own output");
        // The simulator finds every reader's declared input format equal to what its producer writes, and computes
        // the errors the choice assumed, with either definition.
        FixedPointNet device = new FixedPointNet(NetLoader.build(chosen, weights));
        assertTrue(device.notes().stream().noneMatch(n -> n.contains("declares")), device.notes().toString());
        assertEquals(choice.errorAfter(), simulatedError(device, x), 1e-9);
        assertEquals(choice.errorBefore(), simulatedError(new FixedPointNet(net), x), 1e-4 * clipped);
    }

    /**
     * A classifier head: two classes (weights 1 and 1/2 on one input channel) averaged over a 2 x 2 map into the
     * net's output. With the exported threshold 2 the clipping makes the two classes' scores nearly equal although
     * the float net puts one well above the other; the choice measures the divergence of the class scores and
     * removes the clipping.
     */
    @Test
    void aClassifierHeadIsJudgedByItsClassScores() {
        String head = """
                name: "head"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } }
                        precision_param { bw_layer_out: 8 th_layer_out: 8 } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 2 kernel_size: 1 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 8 th_layer_out: 2
                                          th_params: 1 th_params: 1 quant_type: "Xilinx" } }
                layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv"
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 2 th_layer_out: 2 } }
                layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                        pooling_param { pool: AVE global_pooling: true }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 2 th_layer_out: 2
                                          quant_type: "Xilinx" } }
                """;
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 1, 1, 1}, 1f, 0.5f), blob(new int[] {2}, 0f, 0f))).build();
        NetParameter definition = TestWeights.definition(head);
        Net net = NetLoader.build(definition, weights);
        PrecisionScheme scheme = PrecisionScheme.of(net);
        Layer conv = net.layer("conv");
        FormatGroups.Group group = new FormatGroups(net, true).of("conv");
        assertEquals("pool", group.pooledBy().name());

        NumberFormat input = scheme.input(conv, PrecisionScheme.block(conv));
        float[] x = input.dequantize(CODES, CODES.length);
        int[] shape = {2, 1, 2, 2};
        OutputSamples samples = new OutputSamples(new PatchSampler(ConvGeometry.of(conv.param(), shape), shape, 256,
                1), new float[] {1, 0.5f}, new float[] {0, 0}, true);
        samples.add(x, CODES, 2);
        assertTrue(samples.complete());
        NumberFormat weightFormat = scheme.weights(conv, PrecisionScheme.block(conv), conv.weights().get(0), false);
        OutputFormatChoice.Writer writer = new OutputFormatChoice.Writer(conv, samples, new int[] {127, 64}, input,
                weightFormat, true, f -> new float[] {0, 0});
        Map<String, Integer> order = order(definition);

        OutputFormatChoice.Choice choice = OutputFormatChoice.choose(net, definition, scheme, group, List.of(writer),
                order);

        assertEquals("class scores after pool", choice.measuredAt());
        // Float class scores of the two images: 4.02 and 2.01, 3.54 and 1.77 (the means of 0.50, 3.02, 5.04, 7.50
        // and 1.01, 2.52, 4.03, 6.61, and of their halves); clipped at 2 the device gives about 1.63 and 1.44, 1.50
        // and 1.39: the gap between the classes mostly gone. A threshold that lets through at least 5.04 (all but
        // the largest value) keeps it.
        assertTrue(((ThresholdFormat) choice.after()).threshold(0) > 5.04f, choice.after().toString());
        assertTrue(choice.errorAfter() < choice.errorBefore() / 10, choice.errorAfter() + " " + choice.errorBefore());
        for (String name : List.of("conv", "relu", "pool")) {
            assertEquals(((ThresholdFormat) choice.after()).threshold(0),
                    choice.definition().getLayer(order.get(name)).getPrecisionParam().getThLayerOut(), name);
        }
    }

    /**
     * DynamicFixed class scores: the global average pooling writes them in its own fl_layer_out, which is chosen with
     * its input's. Two classes copy one input channel each (weights 1, fl_params 6) at fl_layer_out 4 (step 1/16,
     * exact for the inputs); the pooling's exported fl_layer_out 2 (step 1/4) floors the float scores 2.5625 and 2.5
     * (first image) and 3.0625 and 3.0 (second) to 2.5 and 2.5, 3.0 and 3.0: ties. Only a pooling format of step
     * 1/16 or finer keeps 2.5625 (and the convolution must stay at fl 4: at a coarser step it writes 2.5625 as 2.5 or
     * 2.625), so the first exact pair, and the choice, is convolution fl 4 (unchanged), pooling fl 4, with the
     * pooling's shift 4 + 8 - 4 = 8 in the device's 0..63.
     */
    @Test
    void dynamicFixedClassScoresGetThePoolingsOwnFormat() {
        // Two images, channel 0 then channel 1, 2 x 2 each (exact at step 1/16).
        float[] x = {2.5625f, 2.5625f, 2.5625f, 2.5625f, 2.5f, 2.5f, 2.5f, 2.5f,
                     3.0625f, 3.0625f, 3.0625f, 3.0625f, 3f, 3f, 3f, 3f};
        PooledHead head = PooledHead.of(4, 2, x);
        assertEquals("pool", head.group().pooledBy().name());
        Map<String, Integer> order = head.order();

        OutputFormatChoice.Choice choice = head.choose();

        assertEquals("class scores after pool", choice.measuredAt());
        assertEquals(choice.before(), choice.after(), "the convolution's format stays");
        assertEquals("pool", choice.pooling().pooling());
        assertEquals("fl_layer_out 2", OutputFormatChoice.describe(choice.pooling().before()));
        assertEquals("fl_layer_out 4", OutputFormatChoice.describe(choice.pooling().after()));
        assertTrue(choice.changed());
        // Ties before: (2.5625 - 2.5)^2 + (3.0625 - 3)^2 of the first class; exact after.
        assertEquals(2 * 0.0625 * 0.0625, choice.errorBefore(), 1e-12);
        assertEquals(0, choice.errorAfter(), 1e-12);
        NetParameter chosen = choice.definition();
        assertEquals(4, chosen.getLayer(order.get("conv")).getPrecisionParam().getFlLayerOut());
        assertEquals(4, chosen.getLayer(order.get("pool")).getPrecisionParam().getFlLayerIn());
        assertEquals(4, chosen.getLayer(order.get("pool")).getPrecisionParam().getFlLayerOut());
        assertEquals(4, chosen.getLayer(order.get("prob")).getPrecisionParam().getFlLayerIn(), "its reader follows");
        // The simulator runs the written definition without a format mismatch and pools to the float scores.
        FixedPointNet device = new FixedPointNet(NetLoader.build(chosen, head.weights()));
        assertTrue(device.notes().stream().noneMatch(n -> n.contains("declares")), device.notes().toString());
        float[][] pooled = new float[1][];
        device.forward(x, 2, (layer, tops) -> {
            if (layer.name().equals("pool")) {
                pooled[0] = Tensors.floats(tops.get(0));
            }
        });
        assertArrayEquals(new float[] {2.5625f, 2.5f, 3.0625f, 3f}, pooled[0]);
    }

    /**
     * The same head with scores near the top of the pooling's range: 22.25 and 22.0 (first image), 23.25 and 23.0
     * (second), exact at the convolution's exported step 1/4 (fl 2). The pooling's exported step 1 (fl 0) ties
     * both images; step 1/4 (fl 2) would pool them exactly, in codes 89, 88, 93 and 92, which do not wrap (the
     * container ends at 127), but 1.5 x 93 = 139.5 does not fit it: without headroom a score 37% above the
     * calibration's wraps around on another image. So no candidate with fl 2 or finer is chosen (their codes are
     * at least 89, 1.5 x 89 > 127), whatever the convolution's format, and the export's fl 0 wraps nothing.
     */
    @Test
    void aPoolingFormatWithoutHeadroomIsNotChosen() {
        float[] x = {22.25f, 22.25f, 22.25f, 22.25f, 22f, 22f, 22f, 22f,
                     23.25f, 23.25f, 23.25f, 23.25f, 23f, 23f, 23f, 23f};
        PooledHead head = PooledHead.of(2, 0, x);
        // What the device does with fl 2: the exact codes, not wrapped.
        AveragePooling exact = AveragePooling.dynamicFixed(2, 2, 2, 2, 8);
        assertEquals(93, exact.apply(4 * 93));
        assertFalse(exact.wraps(4 * 93));

        OutputFormatChoice.Choice choice = head.choose();

        int pooled = choice.definition().getLayer(head.order().get("pool")).getPrecisionParam().getFlLayerOut();
        assertTrue(pooled <= 1, "pool fl_layer_out " + pooled);
        assertEquals(0, choice.wrapped());
    }

    /**
     * A DynamicFixed head of two classes, each copying one of two input channels (weights 1, fl_params 6): a 1x1
     * convolution at fl {@code convFl} (in and out), a global average pooling from it to fl {@code poolFl}, a
     * Softmax; with the convolution's output samples of the two 2 x 2 x 2 images {@code x}.
     */
    private record PooledHead(Net net, NetParameter definition, NetParameter weights, PrecisionScheme scheme,
            FormatGroups.Group group, OutputFormatChoice.Writer writer, Map<String, Integer> order) {

        static PooledHead of(int convFl, int poolFl, float[] x) {
            String head = String.format(java.util.Locale.ROOT, """
                    name: "head"
                    layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 2 dim: 2 } } }
                    layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                            convolution_param { num_output: 2 kernel_size: 1 }
                            precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: %1$d
                                              fl_layer_out: %1$d fl_params: 6 quant_type: "DynamicFixed" } }
                    layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                            pooling_param { pool: AVE global_pooling: true }
                            precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: %1$d fl_layer_out: %2$d
                                              quant_type: "DynamicFixed" } }
                    layer { name: "prob" type: "Softmax" bottom: "pool" top: "prob"
                            precision_param { bw_layer_in: 8 fl_layer_in: %2$d } }
                    """, convFl, poolFl);
            NetParameter weights = NetParameter.newBuilder()
                    .addLayer(layer("conv", blob(new int[] {2, 2, 1, 1}, 1f, 0f, 0f, 1f), blob(new int[] {2}, 0f, 0f)))
                    .build();
            NetParameter definition = TestWeights.definition(head);
            Net net = NetLoader.build(definition, weights);
            PrecisionScheme scheme = PrecisionScheme.of(net);
            Layer conv = net.layer("conv");
            NumberFormat input = scheme.input(conv, PrecisionScheme.block(conv));
            int[] codes = input.quantize(x, x.length);
            int[] shape = {2, 2, 2, 2};
            OutputSamples samples = new OutputSamples(new PatchSampler(ConvGeometry.of(conv.param(), shape), shape,
                    256, 1), new float[] {1, 0, 0, 1}, new float[] {0, 0}, false);
            samples.add(x, codes, 2);
            NumberFormat weightFormat = scheme.weights(conv, PrecisionScheme.block(conv), conv.weights().get(0),
                    false);
            OutputFormatChoice.Writer writer = new OutputFormatChoice.Writer(conv, samples, new int[] {64, 0, 0, 64},
                    input, weightFormat, false, f -> new float[] {0, 0});
            return new PooledHead(net, definition, weights, scheme, new FormatGroups(net, false).of("conv"), writer,
                    OutputFormatChoiceTest.order(definition));
        }

        OutputFormatChoice.Choice choose() {
            return OutputFormatChoice.choose(net, definition, scheme, group, List.of(writer), order);
        }
    }

    /** Each layer's index in {@code definition}, by name. */
    private static Map<String, Integer> order(NetParameter definition) {
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < definition.getLayerCount(); i++) {
            order.put(definition.getLayer(i).getName(), i);
        }
        return order;
    }

    /** Squared difference of the device's ReLU output from the float one (the input itself) over both images. */
    private static double simulatedError(FixedPointNet device, float[] x) {
        double[] sum = new double[1];
        device.forward(x, 2, (layer, tops) -> {
            if (layer.name().equals("relu")) {
                float[] out = Tensors.floats(tops.get(0));
                for (int i = 0; i < x.length; i++) {
                    sum[0] += Math.pow(out[i] - Math.max(0, x[i]), 2);
                }
            }
        });
        return sum[0];
    }
}
