package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.TestStatistics;
import xportdnn.quant.ThresholdMethod;
import xportdnn.quant.XilinxThresholds;

class XilinxExporterTest {

    /** Every type of the Xilinx column, layers CHaiDNN runs without a block, and unsupported layers. */
    static final String DEFINITION = """
            name: "xnet"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 4 dim: 2 dim: 4 dim: 4 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 3 kernel_size: 1 }
                    precision_param { bw_layer_in: 16 fl_layer_in: 3 quant_type: "DynamicFixed" } }
            layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
            layer { name: "sc" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" precision_param { th_layer_in: 1 } }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "up" type: "Deconvolution" bottom: "pool" top: "up"
                    convolution_param { num_output: 5 kernel_size: 2 stride: 2 } }
            layer { name: "conv2" type: "Convolution" bottom: "data" top: "conv2"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "add" type: "Eltwise" bottom: "up" bottom: "conv2" top: "add" }
            layer { name: "cat" type: "Concat" bottom: "add" bottom: "data" top: "cat" }
            layer { name: "norm" type: "Normalize" bottom: "cat" top: "norm" norm_param { channel_shared: false } }
            layer { name: "perm" type: "Permute" bottom: "norm" top: "perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "flat" type: "Flatten" bottom: "perm" top: "flat" }
            layer { name: "drop" type: "Dropout" bottom: "flat" top: "flat" }
            layer { name: "ip" type: "InnerProduct" bottom: "flat" top: "ip" inner_product_param { num_output: 3 } }
            layer { name: "prob" type: "Softmax" bottom: "ip" top: "prob" }
            layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" precision_param { bw_layer_in: 8 } }
            layer { name: "prelu" type: "PReLU" bottom: "lrn" top: "prelu" }
            layer { name: "leaky" type: "ReLU" bottom: "prelu" top: "prelu" relu_param { negative_slope: 0.1 } }
            layer { name: "sig" type: "Sigmoid" bottom: "prelu" top: "sig" }
            layer { name: "spool" type: "Pooling" bottom: "sig" top: "spool"
                    pooling_param { pool: STOCHASTIC kernel_size: 2 stride: 2 } }
            """;

    static final InParamsOut BITS = new InParamsOut(8, 6, 8);

    static Net net() {
        NetParameter definition = TestWeights.definition(DEFINITION);
        return NetLoader.build(definition, TestWeights.random(definition, 11));
    }

    /** Layer i's output has max |x| = i + 1 (and the "max" method takes it as its threshold). */
    static Map<String, BlobHistograms> statistics(Net net) {
        Map<String, BlobHistograms> stats = new HashMap<>();
        for (int i = 0; i < net.layers().size(); i++) {
            stats.put(net.layers().get(i).name(), TestStatistics.of(0.5f, -(i + 1), i / 2f));
        }
        return stats;
    }

    static XilinxThresholds thresholds(Net net) {
        return XilinxThresholds.compute(net, statistics(net), ThresholdMethod.parse("max"), BITS.out());
    }

    private static PrecisionParameter block(NetParameter net, String layer) {
        return net.getLayerList().stream().filter(l -> l.getName().equals(layer)).findFirst().orElseThrow()
                .getPrecisionParam();
    }

    /** The set fields in the order they are printed (field number). */
    private static List<String> fieldOrder(PrecisionParameter p) {
        List<FieldDescriptor> fields = new ArrayList<>(p.getAllFields().keySet());
        fields.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
        return fields.stream().map(FieldDescriptor::getName).toList();
    }

    @Test
    void blocksGoExactlyOnTheXilinxLayerTypesCHaiDnnSupports() {
        Net net = net();
        XilinxExporter.Result result = XilinxExporter.export(net, BITS, thresholds(net), false);
        Set<String> withBlock = new TreeSet<>();
        for (LayerParameter l : result.net().getLayerList()) {
            if (l.hasPrecisionParam()) {
                withBlock.add(l.getName());
            }
        }
        // No block on InnerProduct, Softmax, Flatten, Dropout, nor on the unsupported LRN, PReLU, leaky ReLU,
        // Sigmoid and stochastic pooling (the stale block on lrn is removed).
        assertEquals(new TreeSet<>(Set.of("data", "conv", "bn", "sc", "relu", "pool", "up", "conv2", "add", "cat",
                "norm", "perm")), withBlock);
        assertEquals(12, result.blockCount());
    }

    @Test
    void everyBlockHasTheRealFilesFieldsInTheirOrder() {
        Net net = net();
        NetParameter out = XilinxExporter.export(net, BITS, thresholds(net), false).net();
        List<String> activations = List.of("bw_layer_in", "bw_layer_out", "th_layer_in", "th_layer_out");
        List<String> withParams = List.of("bw_layer_in", "bw_layer_out", "bw_params", "th_layer_in", "th_layer_out",
                "th_params", "quant_type");
        assertEquals(List.of("bw_layer_out", "th_layer_out"), fieldOrder(block(out, "data")));
        assertEquals(activations, fieldOrder(block(out, "relu")));
        for (String name : List.of("conv", "up", "conv2", "norm")) {
            assertEquals(withParams, fieldOrder(block(out, name)), name);
        }
        List<String> withQuantType = new ArrayList<>(activations);
        withQuantType.add("quant_type");
        for (String name : List.of("bn", "sc", "pool", "add", "cat", "perm")) {
            assertEquals(withQuantType, fieldOrder(block(out, name)), name);
            assertEquals("Xilinx", block(out, name).getQuantType());
        }
        // In the printed text quant_type comes after the th_params, as in the real files.
        String printed = PrototxtWriter.print(out);
        assertTrue(printed.matches("(?s).*\n    th_params: [^\n]+\n    quant_type: \"Xilinx\"\n  }\n.*"), printed);
    }

    @Test
    void valuesAreTheBitwidthsAndTheComputedThresholds() {
        Net net = net();
        XilinxThresholds t = thresholds(net);
        NetParameter out = XilinxExporter.export(net, BITS, t, false).net();
        for (LayerParameter l : out.getLayerList()) {
            if (!l.hasPrecisionParam() || l.getType().equals("Input")) {
                continue;
            }
            PrecisionParameter p = l.getPrecisionParam();
            assertEquals(8, p.getBwLayerIn(), l.getName());
            assertEquals(8, p.getBwLayerOut(), l.getName());
            assertEquals((float) t.of(l.getName()).in(), p.getThLayerIn(), l.getName());
            assertEquals((float) t.of(l.getName()).out(), p.getThLayerOut(), l.getName());
        }
        PrecisionParameter data = block(out, "data");
        assertEquals(8, data.getBwLayerOut());
        assertEquals(10f, data.getThLayerOut()); // data is a Concat input: it takes cat's 10 (layer 9)
        // conv (layer 1, own 2) is rewritten in place by relu (layer 4, own 5); pool passes 5 on.
        assertEquals(5f, block(out, "conv").getThLayerOut());
        assertEquals(5f, block(out, "relu").getThLayerIn());
        assertEquals(5f, block(out, "pool").getThLayerOut());
        assertEquals(5f, block(out, "up").getThLayerIn());
        for (String name : List.of("conv", "up", "conv2", "norm")) {
            PrecisionParameter p = block(out, name);
            assertEquals(6, p.getBwParams(), name);
            float[] expected = t.of(name).params();
            float[] written = new float[p.getThParamsCount()];
            for (int c = 0; c < written.length; c++) {
                written[c] = p.getThParams(c);
            }
            assertArrayEquals(expected, written, name);
        }
        assertEquals(3, block(out, "conv").getThParamsCount());
        assertEquals(5, block(out, "up").getThParamsCount());
        assertEquals(5, block(out, "conv2").getThParamsCount());
        assertEquals(7, block(out, "norm").getThParamsCount()); // 5 + 2 concatenated channels
    }

    @Test
    void definitionKeptApartFromBatchAndBlocks() throws Exception {
        Net net = net();
        XilinxExporter.Result result = XilinxExporter.export(net, BITS, thresholds(net), false);
        assertEquals(Map.of("data", 4L), result.rebatchedInputs());
        assertTrue(result.batchChanged());
        ExportedDefinition.assertKeptApartFromBatchAndBlocks(net.definition(), result.net());
    }

    @Test
    void zeroThresholdsAreReplacedAndListed() {
        Net net = net();
        Map<String, BlobHistograms> stats = statistics(net);
        stats.put("relu", TestStatistics.of(new float[16]));
        List<Layer> layers = new ArrayList<>(net.layers());
        int upIndex = layers.indexOf(net.layer("up"));
        Layer up = layers.get(upIndex);
        float[] w = up.weights().get(0).data().clone();
        int[] shape = up.weights().get(0).shape(); // (3 in, 5 out, 2, 2): zero output channels 1 and 4
        for (int i = 0; i < shape[0]; i++) {
            for (int k = 0; k < 4; k++) {
                w[(i * 5 + 1) * 4 + k] = 0;
                w[(i * 5 + 4) * 4 + k] = 0;
            }
        }
        layers.set(upIndex, new Layer(up.param(), List.of(new xportdnn.model.Blob(shape, w), up.weights().get(1)),
                up.topShapes()));
        Net zeroed = new Net(net.definition(), layers, net.blobShapes());
        XilinxThresholds t = XilinxThresholds.compute(zeroed, stats, ThresholdMethod.parse("max"), 8);
        XilinxExporter.Result result = XilinxExporter.export(zeroed, BITS, t, false);
        assertEquals(List.of("layer 'conv': th_layer_out", "layer 'bn': th_layer_in", "layer 'bn': th_layer_out",
                "layer 'sc': th_layer_in", "layer 'sc': th_layer_out", "layer 'relu': th_layer_in",
                "layer 'relu': th_layer_out", "layer 'pool': th_layer_in", "layer 'pool': th_layer_out",
                "layer 'up': th_layer_in", "layer 'up': th_params of output channels 1, 4"), result.zeroThresholds());
        PrecisionParameter p = block(result.net(), "up");
        assertEquals(XilinxExporter.ZERO_THRESHOLD_STAND_IN, p.getThLayerIn());
        assertEquals(XilinxExporter.ZERO_THRESHOLD_STAND_IN, p.getThParams(1));
        assertEquals(XilinxExporter.ZERO_THRESHOLD_STAND_IN, p.getThParams(4));
        assertTrue(p.getThParams(0) > XilinxExporter.ZERO_THRESHOLD_STAND_IN);
    }

    @Test
    void refusesBitwidthsOtherThanSixOrEightUnlessAllowed() {
        Net net = net();
        XilinxThresholds t = thresholds(net);
        ModelException e = assertThrows(ModelException.class,
                () -> XilinxExporter.export(net, new InParamsOut(8, 4, 8), t, false));
        assertTrue(e.getMessage().contains("6 or 8 bits"), e.getMessage());
        assertEquals(4, block(XilinxExporter.export(net, new InParamsOut(8, 4, 8), t, true).net(), "conv")
                .getBwParams());
    }

    /** A library caller gets the command line's one-activation-bitwidth rule: 6,8,8 is no file CHaiDNN runs. */
    @Test
    void refusesInputAndOutputActivationsOfDifferentWidthsUnlessAllowed() {
        Net net = net();
        XilinxThresholds t = thresholds(net);
        ModelException e = assertThrows(ModelException.class,
                () -> XilinxExporter.export(net, new InParamsOut(6, 8, 8), t, false));
        assertTrue(e.getMessage().contains("input and output activations differ (6 and 8 bits)"), e.getMessage());
        assertThrows(ModelException.class, () -> XilinxExporter.export(net, new InParamsOut(8, 8, 6), t, false));
        assertEquals(6, block(XilinxExporter.export(net, new InParamsOut(6, 8, 8), t, true).net(), "conv")
                .getBwLayerIn());
    }
}
