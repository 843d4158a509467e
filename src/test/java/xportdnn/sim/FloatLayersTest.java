package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;

/** Device layers simulated in float on request ({@code validate --float_layers}): hand-computed hand-offs. */
class FloatLayersTest {

    /**
     * Three 1x1 convolutions, all at steps 2^-6 (th 1.984375 = 127 x 2^-6) for activations and 2^-7
     * (th 0.9921875) for weights; c2 has an in-place ReLU fused into it.
     */
    private static final String NET = """
            name: "three"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 4 } } }
            layer { name: "c1" type: "Convolution" bottom: "data" top: "c1" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1.984375
                                      th_layer_out: 1.984375 th_params: 0.9921875 quant_type: "Xilinx" } }
            layer { name: "c2" type: "Convolution" bottom: "c1" top: "c2" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1.984375
                                      th_layer_out: 1.984375 th_params: 0.9921875 quant_type: "Xilinx" } }
            layer { name: "r2" type: "ReLU" bottom: "c2" top: "c2" }
            layer { name: "c3" type: "Convolution" bottom: "c2" top: "c3" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1.984375
                                      th_layer_out: 1.984375 th_params: 0.9921875 quant_type: "Xilinx" } }
            """;

    /** c1 = 0.25 x, c2 = 3 c1 + 0.1, c3 = 0.5 c2: every weight a code at 2^-7 (32, 384 saturating, 64). */
    private static Net net() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("c1", blob(new int[] {1, 1, 1, 1}, 0.25f), blob(new int[] {1}, 0f)))
                .addLayer(layer("c2", blob(new int[] {1, 1, 1, 1}, 3f), blob(new int[] {1}, 0.1f)))
                .addLayer(layer("c3", blob(new int[] {1, 1, 1, 1}, 0.5f), blob(new int[] {1}, 0f)))
                .build();
        return FixedPointNetTest.net(NET, weights);
    }

    /** Each reported layer's output of one pass. */
    private static Map<String, float[]> outputs(FixedPointNet sim, float... input) {
        Map<String, float[]> out = new HashMap<>();
        sim.forward(input, 1, (layer, tops) -> out.put(layer.name(), Tensors.floats(tops.get(0))));
        return out;
    }

    /**
     * Input 0.5, 0.25, -0.25, 1 (codes 32, 16, -16, 64); c1 in integers: 0.125, 0.0625, -0.0625, 0.25, exact at
     * 2^-6, so the float net's c1 is the same. c2 and its ReLU in float: 3 c1 + 0.1 = 0.475, 0.2875, -0.0875 ->
     * 0, 0.85, the float engine's values bit for bit. c3 reads them quantized to its input step 2^-6: codes
     * 30.4 -> 30, 18.4 -> 18, 0, 54.4 -> 54; times 0.5: 15, 9, 0, 27 (float would give 15.2, 9.2, 0, 27.2).
     */
    @Test
    void aFloatLayerComputesAsTheFloatEngineAndTheNextLayerReadsItQuantized() {
        float[] input = {0.5f, 0.25f, -0.25f, 1f};
        FixedPointNet sim = new FixedPointNet(net(), Set.of("c2"));
        Map<String, float[]> out = outputs(sim, input);

        assertArrayEquals(new float[] {0.125f, 0.0625f, -0.0625f, 0.25f}, out.get("c1"));
        float[] c2 = {3 * 0.125f + 0.1f, 3 * 0.0625f + 0.1f, 3 * -0.0625f + 0.1f, 3 * 0.25f + 0.1f};
        assertArrayEquals(c2, out.get("c2"));
        assertArrayEquals(new float[] {c2[0], c2[1], 0, c2[3]}, out.get("r2"));
        assertArrayEquals(new float[] {15 / 64f, 9 / 64f, 0, 27 / 64f}, out.get("c3"));

        Map<String, float[]> engine = new HashMap<>();
        new FloatEngine(net()).forward(input, 1, (layer, tops) -> engine.put(layer.name(), Tensors.floats(tops.get(0))));
        assertArrayEquals(engine.get("c1"), out.get("c1"), "same input to c2 in both");
        assertArrayEquals(engine.get("r2"), out.get("r2"));

        // the whole fused chain (c2 with its ReLU) is computed in float and marked; c2 writes no fixed-point format
        assertEquals(List.of("c2", "r2"), List.copyOf(sim.floatLayers()));
        assertEquals(List.of("c1", "c3"), List.copyOf(sim.outputFormats().keySet()));
        // without the flag, c2's weight 3 saturates at code 127 (0.9921875): the device's c2 is far from float
        float[] device = outputs(new FixedPointNet(net()), input).get("r2");
        assertFalse(device[3] == c2[3], "device c2 " + device[3]);
    }

    @Test
    void namingAnyLayerOfAFusedChainFloatsTheChain() {
        FixedPointNet sim = new FixedPointNet(net(), Set.of("r2"));
        assertEquals(List.of("c2", "r2"), List.copyOf(sim.floatLayers()));
        assertEquals(List.of("c1", "c3"), List.copyOf(sim.outputFormats().keySet()));
    }

    @Test
    void unknownAndNonDeviceLayersAreRefused() {
        ModelException unknown = assertThrows(ModelException.class, () -> new FixedPointNet(net(), Set.of("c22")));
        assertEquals("--float_layers: the net has no layer 'c22' (close: c2, c1, c3)", unknown.getMessage());
        ModelException input = assertThrows(ModelException.class, () -> new FixedPointNet(net(), Set.of("data")));
        assertTrue(input.getMessage().startsWith(
                "layer 'data': --float_layers: its type, Input, is computed in float anyway"), input.getMessage());
    }
}
