package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;

/**
 * The device layers CHaiDNN's docs/SUPPORTED_LAYERS.md does not list (convolutions: square 1, 3, 5, 7, 11 kernels,
 * one stride, dilation 6; convolutions and poolings: fewer than 4096 input and output feature maps) are warned of by
 * name; the ones it lists, and every layer of the shared nets, are not.
 */
class SupportedLayersCheckTest {

    private static String conv(String name, String param) {
        return "layer { name: \"" + name + "\" type: \"Convolution\" bottom: \"data\" top: \"" + name + "\""
                + " convolution_param { num_output: 2 " + param + " } }\n";
    }

    @Test
    void kernelsAndStridesTheEngineDoesNotListAreWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 3 dim: 16 dim: 16 } } }\n"
                + conv("rect", "kernel_h: 3 kernel_w: 5")
                + conv("two", "kernel_size: 2 stride: 2")
                + conv("row", "kernel_size: 1 kernel_size: 3")
                + conv("uneven", "kernel_size: 3 stride_h: 1 stride_w: 2")
                + conv("fine", "kernel_size: 3 stride: 2 pad: 1")
                + conv("eleven", "kernel_size: 11 stride: 4")
                + conv("dilated", "kernel_size: 3 dilation: 2")
                + conv("six", "kernel_size: 3 dilation: 6 pad: 6");
        List<String> warned = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))
                .stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
        assertEquals(List.of("layer 'rect' (Convolution, kernel 3x5, stride 1x1)",
                "layer 'two' (Convolution, kernel 2x2, stride 2x2)", "layer 'row' (Convolution, kernel 1x3, stride 1x1)",
                "layer 'uneven' (Convolution, kernel 3x3, stride 1x2)",
                "layer 'dilated' (Convolution, kernel 3x3, stride 1x1, dilation 2x2)"), warned);
    }

    @Test
    void aPermuteOfAnotherOrderThanSsdsIsWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 3 dim: 4 dim: 5 } } }\n"
                + "layer { name: \"ssd\" type: \"Permute\" bottom: \"data\" top: \"ssd\""
                + " permute_param { order: 0 order: 2 order: 3 order: 1 } }\n"
                + "layer { name: \"short\" type: \"Permute\" bottom: \"data\" top: \"short\""
                + " permute_param { order: 0 order: 2 } }\n"
                + "layer { name: \"hw\" type: \"Permute\" bottom: \"data\" top: \"hw\""
                + " permute_param { order: 0 order: 1 order: 3 order: 2 } }\n";
        List<String> warned = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))
                .stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
        // 'short' lists 0, 2: the axes left follow in their order, 0, 2, 1, 3
        assertEquals(List.of("layer 'short' (Permute, order [0, 2, 1, 3])", "layer 'hw' (Permute, order [0, 1, 3, 2])"),
                warned);
    }

    @Test
    void featureMapsFromTheTablesBoundOnAreWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } } }\n"
                + "layer { name: \"wide\" type: \"Convolution\" bottom: \"data\" top: \"wide\""
                + " convolution_param { num_output: 4096 kernel_size: 1 } }\n"
                + "layer { name: \"pool\" type: \"Pooling\" bottom: \"wide\" top: \"pool\""
                + " pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
                + "layer { name: \"narrow\" type: \"Convolution\" bottom: \"pool\" top: \"narrow\""
                + " convolution_param { num_output: 4095 kernel_size: 1 } }\n"
                + "layer { name: \"last\" type: \"Convolution\" bottom: \"narrow\" top: \"last\""
                + " convolution_param { num_output: 8 kernel_size: 1 } }\n";
        List<String> warned = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))
                .stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
        // 4096 is not fewer than 4096; 4095 is
        assertEquals(List.of("layer 'wide' (Convolution, 3 input and 4096 output feature maps)",
                "layer 'pool' (Pooling, 4096 input and 4096 output feature maps)",
                "layer 'narrow' (Convolution, 4096 input and 4095 output feature maps)"), warned);
    }

    @Test
    void theSharedNetsAreNotWarnedOf() {
        for (SharedData.Model model : SharedData.Model.values()) {
            assertEquals(List.of(), SupportedLayersCheck.of(NetLoader.load(model.prototxt(), null)), model.name());
        }
    }
}
