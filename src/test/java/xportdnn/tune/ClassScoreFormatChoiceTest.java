package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;

/**
 * The search of {@link ClassScoreFormatChoice} with a divergence given by hand as a function of the candidate's
 * {@code fl_layer_out} (exported: 2; the convolution can write up to fl 10, so +1..+3 all run): it moves one bit at
 * a time while the next format is better in total and on both halves of the images, stops at the first that is
 * not, tries the other direction only when the first gained nothing, and the group's readers follow the choice.
 */
class ClassScoreFormatChoiceTest {

    private static final String NET = """
            name: "copy"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 4 } }
                    precision_param { bw_layer_out: 8 fl_layer_out: 4 } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 4 fl_layer_out: 2
                                      fl_params: 6 quant_type: "DynamicFixed" } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv"
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 2 } }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 1 stride: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 2
                                      quant_type: "DynamicFixed" } }
            layer { name: "next" type: "Convolution" bottom: "pool" top: "next"
                    convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 2 fl_layer_out: 2
                                      fl_params: 6 quant_type: "DynamicFixed" } }
            """;

    private record Setup(Net net, NetParameter definition, PrecisionScheme scheme, FormatGroups.Group group,
                         OutputFormatChoice.Writer writer, Map<String, Integer> order) {
    }

    private static Setup setup() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .addLayer(layer("next", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f))).build();
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, weights);
        PrecisionScheme scheme = PrecisionScheme.of(net);
        Layer conv = net.layer("conv");
        int[] codes = {8, 48, 80, 119, 16, 40, 64, 105};
        NumberFormat input = scheme.input(conv, PrecisionScheme.block(conv));
        float[] x = new float[codes.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = input.dequantize(codes[i], 0);
        }
        int[] shape = {2, 1, 1, 4};
        OutputSamples samples = new OutputSamples(new PatchSampler(ConvGeometry.of(conv.param(), shape), shape, 256,
                1), new float[] {1}, new float[] {0}, true);
        samples.add(x, codes, 2);
        NumberFormat weightFormat = scheme.weights(conv, PrecisionScheme.block(conv), conv.weights().get(0), false);
        OutputFormatChoice.Writer writer = new OutputFormatChoice.Writer(conv, samples, new int[] {64}, input,
                weightFormat, true, f -> new float[] {0});
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < definition.getLayerCount(); i++) {
            order.put(definition.getLayer(i).getName(), i);
        }
        return new Setup(net, definition, scheme, new FormatGroups(net, false).of("conv"), writer, order);
    }

    /** Runs the choice with the divergence {@code halves(fl)}; returns the fl chosen and records the fl tried. */
    private static OutputFormatChoice.Choice choose(Setup s, IntFunction<double[]> halves, List<Integer> tried) {
        return ClassScoreFormatChoice.choose(s.net(), s.definition(), s.scheme(), s.group(), List.of(s.writer()),
                s.order(), (candidate, format) -> {
                    int fl = ((FixedPointFormat) format).fractionalBits();
                    assertEquals(fl, candidate.getLayer(s.order().get("conv")).getPrecisionParam().getFlLayerOut());
                    tried.add(fl);
                    return halves.apply(fl);
                });
    }

    @Test
    void movesWhileBetterOnBothHalvesAndReadersFollow() {
        Setup s = setup();
        List<Integer> tried = new ArrayList<>();
        // Smallest at fl 4: 2 -> 3 -> 4 better, 5 worse.
        OutputFormatChoice.Choice choice = choose(s, fl -> new double[] {(fl - 4) * (fl - 4) + 1,
                (fl - 4) * (fl - 4) + 1}, tried);
        assertEquals(List.of(2, 3, 4, 5), tried);
        assertEquals(2, ((FixedPointFormat) choice.before()).fractionalBits());
        assertEquals(4, ((FixedPointFormat) choice.after()).fractionalBits());
        assertEquals("class scores of the net", choice.measuredAt());
        NetParameter chosen = choice.definition();
        for (String name : List.of("conv", "relu", "pool")) {
            assertEquals(4, chosen.getLayer(s.order().get(name)).getPrecisionParam().getFlLayerOut(), name);
        }
        for (String name : List.of("relu", "pool", "next")) {
            assertEquals(4, chosen.getLayer(s.order().get(name)).getPrecisionParam().getFlLayerIn(), name);
        }
        assertEquals(2, chosen.getLayer(s.order().get("next")).getPrecisionParam().getFlLayerOut(), "its own");
    }

    @Test
    void aGainOnOneHalfOnlyKeepsTheExportedFormat() {
        Setup s = setup();
        List<Integer> tried = new ArrayList<>();
        // fl 3: smaller in total (1.3 < 2) but worse on the odd images; fl 1: no better. Nothing moves.
        OutputFormatChoice.Choice choice = choose(s, fl -> fl == 3 ? new double[] {0.2, 1.1}
                : new double[] {1, 1}, tried);
        assertEquals(List.of(2, 3, 1), tried);
        assertEquals(choice.before(), choice.after());
        assertEquals(s.definition(), choice.definition());
    }
}
