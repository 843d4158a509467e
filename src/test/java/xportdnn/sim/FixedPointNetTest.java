package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/** Whole small nets through {@link FixedPointNet}: hand-computed outputs, rescaling, error reports, notes. */
class FixedPointNetTest {

    static Net net(String prototxt, NetParameter weights) {
        return NetLoader.build(TestWeights.definition(prototxt), weights);
    }

    static float[] run(FixedPointNet sim, float... input) {
        Map<String, INDArray> out = sim.forward(input, 1, null);
        assertEquals(1, out.size(), out.keySet().toString());
        return Tensors.floats(out.values().iterator().next());
    }

    /** Steps of 2^-6, 2^-7, 2^-5: th = 127 x step makes sf = th / 127 exact, so M = 2^-7 * 2^-6 / 2^-5 * 2^22 = 2^14. */
    private static final String XILINX_1X1 = """
            name: "hand"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 4 } }
                    precision_param { bw_layer_out: 8 th_layer_out: 1.984375 } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 2 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1.984375
                                      th_layer_out: 3.96875 th_params: 0.9921875 th_params: 0.9921875
                                      quant_type: "Xilinx" } }
            """;

    /**
     * Input codes (x / 2^-6) 32, 20, -20, 127. Channel 0: weight code 32 (0.25 / 2^-7), bias 0, so
     * acc x 2^14 / 2^22 = acc / 256 = 4, 2.5, -2.5, 15.875, rounded half away 4, 3, -3, 16 (half-even would give
     * 2 and -2). Channel 1: weight code 127, bias 3.9 / 2^-5 = 124.8 -> 125: 31.75 + 125, 9.921875 + 125,
     * -9.921875 + 125, 63.0039 + 125 -> 157, 135, 115, 188, saturated to 127, 127, 115, 127. Output step 2^-5.
     */
    @Test
    void xilinxConvolutionByHand() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 1, 1, 1}, 0.25f, 0.9921875f), blob(new int[] {2}, 0f, 3.9f)))
                .build();
        FixedPointNet sim = new FixedPointNet(net(XILINX_1X1, weights));
        assertEquals("Xilinx", sim.quantType());
        float[] out = run(sim, 0.5f, 0.3125f, -0.3125f, 1.984375f);
        assertArrayEquals(new float[] {4 / 32f, 3 / 32f, -3 / 32f, 16 / 32f, 127 / 32f, 127 / 32f, 115 / 32f, 127 / 32f},
                out);
    }

    /**
     * Dropout at test time, after a layer writing codes, hands the codes on: the output is the hand-computed one
     * of {@link #xilinxConvolutionByHand}, the blob keeps the convolution's format, and the Dropout, which the
     * device does not compute, has no output format of its own.
     */
    @Test
    void dropoutHandsCodesOn() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 1, 1, 1}, 0.25f, 0.9921875f), blob(new int[] {2}, 0f, 3.9f)))
                .build();
        FixedPointNet sim = new FixedPointNet(net(XILINX_1X1 + """
                layer { name: "drop" type: "Dropout" bottom: "conv" top: "conv" dropout_param { dropout_ratio: 0.5 } }
                """, weights));
        float[] out = run(sim, 0.5f, 0.3125f, -0.3125f, 1.984375f);
        assertArrayEquals(new float[] {4 / 32f, 3 / 32f, -3 / 32f, 16 / 32f, 127 / 32f, 127 / 32f, 115 / 32f, 127 / 32f},
                out);
        assertEquals(List.of("conv"), List.copyOf(sim.outputFormats().keySet()));
        assertEquals(sim.outputFormats().get("conv"), sim.blobFormats().get("conv"));
        assertEquals(List.of(), sim.notes());
    }

    /**
     * {@link FixedPointNet#forwardValuesFirst}: the steps computing the net's first layers, a fused chain whole. The
     * ReLU fused into the convolution makes {@link #xilinxConvolutionByHand}'s -3 a 0; the Dropout after it (layer
     * 3) is left out, and an output not asked for is never shown.
     */
    @Test
    void forwardValuesFirstRunsTheStepsOfTheFirstLayers() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 1, 1, 1}, 0.25f, 0.9921875f), blob(new int[] {2}, 0f, 3.9f)))
                .build();
        FixedPointNet sim = new FixedPointNet(net(XILINX_1X1 + """
                layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
                layer { name: "drop" type: "Dropout" bottom: "conv" top: "conv" dropout_param { dropout_ratio: 0.5 } }
                """, weights));
        float[] input = {0.5f, 0.3125f, -0.3125f, 1.984375f};
        Map<String, float[]> seen = new LinkedHashMap<>();
        sim.forwardValuesFirst(input, 1, 2, (layer, tops) -> seen.put(layer.name(), tops.apply(0).clone()));
        assertEquals(List.of("data", "relu"), List.copyOf(seen.keySet()));
        assertArrayEquals(input, seen.get("data"));
        assertArrayEquals(new float[] {4 / 32f, 3 / 32f, 0, 16 / 32f, 127 / 32f, 127 / 32f, 115 / 32f, 127 / 32f},
                seen.get("relu"));
        List<String> shown = new ArrayList<>();
        sim.forwardValuesFirst(input, 1, 1, (layer, tops) -> shown.add(layer.name()));
        assertEquals(List.of("data"), shown);
    }

    /**
     * Q.4 input 1.5, -1.5 -> 24, -24; Q.4 weight 0.75 -> 12; accumulators 288, -288 with 8 fractional bits; the
     * bias 0.5 in the Q.2 output format is 2, i.e. 128 in the accumulator's; (416, -160) >> 6 = 6.5, -2.5, rounded
     * half away 7, -3 -> 1.75, -0.75 (float: 1.625, -0.625).
     */
    @Test
    void dynamicFixedConvolutionByHand() {
        String prototxt = """
                name: "hand"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 2 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 1 kernel_size: 1 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 4
                                          fl_layer_out: 2 fl_params: 4 quant_type: "DynamicFixed" } }
                """;
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {1, 1, 1, 1}, 0.75f), blob(new int[] {1}, 0.5f))).build();
        FixedPointNet sim = new FixedPointNet(net(prototxt, weights));
        assertEquals("DynamicFixed", sim.quantType());
        assertArrayEquals(new float[] {1.75f, -0.75f}, run(sim, 1.5f, -1.5f));
    }

    /** Two convolutions of the input, their sum and their concatenation (see the test using it first). */
    private static final String TWO_BRANCHES = """
            name: "two"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 3 } } }
            layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1.984375
                                      th_layer_out: 1.984375 th_params: 1 quant_type: "Xilinx" } }
            layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 1 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1.984375
                                      th_layer_out: 3.96875 th_params: 1 quant_type: "Xilinx" } }
            layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum"
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 3.96875 th_layer_out: 3.96875
                                      quant_type: "Xilinx" } }
            layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat"
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 3.96875 th_layer_out: 3.96875
                                      quant_type: "Xilinx" } }
            """;

    private static NetParameter identityWeights() {
        return NetParameter.newBuilder()
                .addLayer(layer("a", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f)))
                .addLayer(layer("b", blob(new int[] {1, 1, 1, 1}, 1f), blob(new int[] {1}, 0f))).build();
    }

    /**
     * Two identity convolutions write the input (codes 3, -3, 64 at step 2^-6) at steps 2^-6 and 2^-5
     * (a: M = round(2^22 / 127) = 33026, codes 3, -3, 64; b: M = 16513, codes 1, -1, 32); the Eltwise moves a to
     * its 2^-5 step (halving with rounding half away: 2, -2, 32) and adds: 3, -3, 64; the Concat moves a the
     * same way and stacks it on b.
     */
    @Test
    void eltwiseAndConcatMoveTheirInputsToTheOutputFormat() {
        FixedPointNet sim = new FixedPointNet(net(TWO_BRANCHES, identityWeights()));
        Map<String, INDArray> out = sim.forward(new float[] {0.046875f, -0.046875f, 1f}, 1, null);
        assertEquals(List.of("sum", "cat"), sim.outputNames());
        assertArrayEquals(new float[] {3 / 32f, -3 / 32f, 64 / 32f}, Tensors.floats(out.get("sum")));
        assertArrayEquals(new float[] {2 / 32f, -2 / 32f, 32 / 32f, 1 / 32f, -1 / 32f, 32 / 32f},
                Tensors.floats(out.get("cat")));
        assertArrayEquals(new long[] {1, 2, 1, 3}, out.get("cat").shape());
        List<String> mismatches = sim.notes().stream().filter(n -> n.contains("'a' holds")).toList();
        assertEquals(2, mismatches.size(), sim.notes().toString());
        assertTrue(mismatches.get(0).startsWith("layer 'sum' declares its input as 8-bit threshold 3.96875"),
                mismatches.get(0));
    }

    /**
     * A pass kept before b (layer 2) holds what a later step reads: data (read by b) and a (read by sum and cat),
     * a's codes 3, -3, 64 at step 2^-6. Resumed there, it computes b, sum and cat as
     * {@link #eltwiseAndConcatMoveTheirInputsToTheOutputFormat} has them, and kept before cat (layer 4) it holds
     * a and b only.
     */
    @Test
    void aPassResumesFromWhatItHeldBeforeAStep() {
        FixedPointNet sim = new FixedPointNet(net(TWO_BRANCHES, identityWeights()));
        PassFrontier beforeB = sim.forwardValuesFirst(new float[] {0.046875f, -0.046875f, 1f}, 1, 5, 2,
                (layer, tops) -> { });
        assertEquals(Set.of("data", "a"), beforeB.blobs().keySet());
        assertArrayEquals(new float[] {3 / 64f, -3 / 64f, 1f}, beforeB.values("a"));
        Map<String, float[]> seen = new LinkedHashMap<>();
        PassFrontier beforeCat = sim.forwardValuesFirst(beforeB, 5, 4,
                (layer, tops) -> seen.put(layer.name(), tops.apply(0).clone()));
        assertEquals(List.of("b", "sum", "cat"), List.copyOf(seen.keySet()));
        assertArrayEquals(new float[] {3 / 32f, -3 / 32f, 64 / 32f}, seen.get("sum"));
        assertArrayEquals(new float[] {2 / 32f, -2 / 32f, 32 / 32f, 1 / 32f, -1 / 32f, 32 / 32f}, seen.get("cat"));
        assertEquals(Set.of("a", "b"), beforeCat.blobs().keySet());
    }

    /**
     * Max pooling keeps its input's codes. DynamicFixed average pooling writes its output format: multiplier
     * floor(256 / 4) = 64, shift fl_in + 8 - fl_out = 2 + 8 - 3 = 7.
     */
    @Test
    void poolingOnCodes() {
        String prototxt = """
                name: "pool"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
                layer { name: "max" type: "Pooling" bottom: "data" top: "max"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 2 } }
                layer { name: "ave" type: "Pooling" bottom: "data" top: "ave"
                        pooling_param { pool: AVE kernel_size: 2 stride: 2 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 3 } }
                """;
        FixedPointNet sim = new FixedPointNet(net(prototxt, NetParameter.getDefaultInstance()));
        // Q.2 codes 5, -2, 1, 3 (the input 1.3 rounds to 1.25); sum 7 x 64 = 448 >> 7 = 3.5 -> 3 in Q.3: 0.375
        Map<String, INDArray> out = sim.forward(new float[] {1.3f, -0.5f, 0.25f, 0.75f}, 1, null);
        assertArrayEquals(new float[] {1.25f}, Tensors.floats(out.get("max")));
        assertArrayEquals(new float[] {0.375f}, Tensors.floats(out.get("ave")));
        assertTrue(sim.notes().isEmpty(), sim.notes().toString());
    }

    /**
     * The device writes an average's low byte: DynamicFixed multiplier floor(256 / 4) = 64, shift 0 + 8 - 3 = 5.
     * Image 0, codes 1, 2, 3, 4: 10 x 64 >> 5 = 20 (2.5 in Q.3). Image 1, four codes 100: 400 x 64 >> 5 = 800,
     * whose low byte is 32 (4.0): wrapped, and marked for image 1 only.
     */
    @Test
    void wrappedAveragesAreMarkedPerImage() {
        String prototxt = """
                name: "pool"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
                layer { name: "ave" type: "Pooling" bottom: "data" top: "ave"
                        pooling_param { pool: AVE kernel_size: 2 stride: 2 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 0 fl_layer_out: 3 } }
                """;
        FixedPointNet sim = new FixedPointNet(net(prototxt, NetParameter.getDefaultInstance()));
        Map<String, INDArray> out = sim.forward(new float[] {1, 2, 3, 4, 100, 100, 100, 100}, 2, null);
        assertArrayEquals(new float[] {2.5f, 4f}, Tensors.floats(out.get("ave")));
        assertArrayEquals(new boolean[] {false, true}, sim.lastPassWrappedAverages().get("ave"));
        sim.forward(new float[] {1, 2, 3, 4}, 1, null);
        assertArrayEquals(new boolean[] {false}, sim.lastPassWrappedAverages().get("ave"));
    }

    /** A DynamicFixed average pooling more than 8 bits finer than its input needs a negative shift: refused. */
    @Test
    void averagePoolingTooFineForTheDeviceShiftIsRefused() {
        String prototxt = """
                name: "pool"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
                layer { name: "ave" type: "Pooling" bottom: "data" top: "ave"
                        pooling_param { pool: AVE kernel_size: 2 stride: 2 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 0 fl_layer_out: 9 } }
                """;
        Net net = net(prototxt, NetParameter.getDefaultInstance());
        ModelException e = assertThrows(ModelException.class, () -> new FixedPointNet(net));
        assertTrue(e.getMessage().contains("'ave'") && e.getMessage().contains("right shift of -1"), e.getMessage());
    }

    /**
     * Xilinx mode: the device pools codes in the input's scale and does not use th_layer_out, so a block whose
     * thresholds differ has its codes read in the output's scale (and the simulator says so).
     */
    @Test
    void xilinxPoolingDoesNotRescale() {
        String prototxt = """
                name: "pool"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
                layer { name: "ave" type: "Pooling" bottom: "data" top: "ave"
                        pooling_param { pool: AVE kernel_size: 2 stride: 2 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 127 th_layer_out: 63.5
                                          quant_type: "Xilinx" } }
                """;
        FixedPointNet sim = new FixedPointNet(net(prototxt, NetParameter.getDefaultInstance()));
        // codes 10, 20, 30, 41 (step 1): sum 101 x floor(2^16 / 4) >> 16 = 25.25 -> 25, read with step 0.5
        Map<String, INDArray> out = sim.forward(new float[] {10f, 20f, 30f, 41f}, 1, null);
        assertArrayEquals(new float[] {12.5f}, Tensors.floats(out.get("ave")));
        assertEquals(1, sim.notes().size(), sim.notes().toString());
        assertTrue(sim.notes().get(0).contains("without rescaling"), sim.notes().get(0));
    }

    /**
     * A convolution with BatchNorm, Scale and ReLU in place, random weights: the simulator equals the reference
     * arithmetic run on the weights fused by the spec's formulas (section 4), and reports the chain as the ReLU.
     */
    @Test
    void fusedChainEqualsTheReference() {
        String body = """
                name: "chain"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 6 dim: 5 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 stride: 2 } %s }
                layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" batch_norm_param { eps: 0.001 } }
                layer { name: "sc" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } %s }
                layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
                """;
        NetParameter weights = TestWeights.random(TestWeights.definition(String.format(body, "", "")), 21);
        Fused f = Fused.of(weights, 0.001f);
        float[] input = new float[2 * 3 * 6 * 5];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        ReferenceArithmetic.Geometry g = new ReferenceArithmetic.Geometry(1, 3, 3, 2, 2, 1, 1, 1, 1);

        // Xilinx: th_params = max |w'| per channel (what the exporter writes for a fused convolution)
        StringBuilder thParams = new StringBuilder();
        float[] th = new float[4];
        for (int o = 0; o < 4; o++) {
            for (int i = 0; i < 27; i++) {
                th[o] = Math.max(th[o], Math.abs(f.weights()[o * 27 + i]));
            }
            thParams.append(" th_params: ").append(th[o]);
        }
        String xilinx = String.format(body, "precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 "
                + "th_layer_in: 2.5 th_layer_out: 7" + thParams + " quant_type: \"Xilinx\" }",
                "precision_param { bw_layer_in: 8 bw_layer_out: 8 th_layer_in: 6 th_layer_out: 6 quant_type: \"Xilinx\" }");
        FixedPointNet sim = new FixedPointNet(net(xilinx, weights));
        Map<String, float[]> seen = new LinkedHashMap<>();
        float[] out = Tensors.floats(sim.forward(input, 2, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))))
                .get("conv"));
        int[] x = new int[input.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = ReferenceArithmetic.xilinxCode(input[i], 2.5f, 8);
        }
        int[] wq = new int[f.weights().length];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = ReferenceArithmetic.xilinxCode(f.weights()[i], th[i / 27], 8);
        }
        long[] acc = ReferenceArithmetic.accumulate(x, 2, 3, 6, 5, wq, 4, g);
        float sfOut = ReferenceArithmetic.xilinxScale(6, 8); // the Scale's block is the last with an output format
        float[] expected = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int o = (i / 9) % 4;
            expected[i] = ReferenceArithmetic.xilinxOutput(acc[i], ReferenceArithmetic.xilinxScale(th[o], 8),
                    ReferenceArithmetic.xilinxScale(2.5f, 8), 6, 8, f.bias()[o], true) * sfOut;
        }
        assertArrayEquals(expected, out);
        assertEquals(List.of("data", "relu"), List.copyOf(seen.keySet()));
        assertEquals(Map.of("conv", "relu", "bn", "relu", "sc", "relu"), sim.fusedLayers());
        assertEquals(List.of(), sim.notes());

        // DynamicFixed: the runtime chooses the fused weights' fl itself: bw - int bits of max |w'|
        String fixed = String.format(body, "precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 "
                + "fl_layer_in: 5 fl_layer_out: 4 fl_params: 7 quant_type: \"DynamicFixed\" }",
                "precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 4 fl_layer_out: 3 "
                        + "quant_type: \"DynamicFixed\" }");
        float maxW = 0;
        for (float w : f.weights()) {
            maxW = Math.max(maxW, Math.abs(w));
        }
        int flW = 8 - (maxW < 1 ? 1 : maxW == 1 ? 2 : (int) Math.ceil(Math.log(maxW) / Math.log(2)) + 1);
        out = Tensors.floats(new FixedPointNet(net(fixed, weights)).forward(input, 2, null).get("conv"));
        for (int i = 0; i < x.length; i++) {
            x[i] = ReferenceArithmetic.fixedCode(input[i], 8, 5);
        }
        for (int i = 0; i < wq.length; i++) {
            wq[i] = ReferenceArithmetic.fixedCode(f.weights()[i], 8, flW);
        }
        acc = ReferenceArithmetic.accumulate(x, 2, 3, 6, 5, wq, 4, g);
        for (int i = 0; i < acc.length; i++) {
            expected[i] = ReferenceArithmetic.fixedOutput(acc[i], 5, flW, 8, 3, f.bias()[(i / 9) % 4], true) / 8f;
        }
        assertArrayEquals(expected, out);
    }

    /** The fused weights and bias of the chain in {@link #fusedChainEqualsTheReference}, by the spec's formulas. */
    private record Fused(float[] weights, float[] bias) {

        static Fused of(NetParameter model, float eps) {
            Map<String, List<float[]>> blobs = new LinkedHashMap<>();
            model.getLayerList().forEach(l -> blobs.put(l.getName(),
                    l.getBlobsList().stream().map(b -> toArray(b.getDataList())).toList()));
            float[] w = blobs.get("conv").get(0);
            float[] b = blobs.get("conv").get(1);
            float factor = blobs.get("bn").get(2)[0];
            float[] mean = blobs.get("bn").get(0);
            float[] var = blobs.get("bn").get(1);
            float[] gamma = blobs.get("sc").get(0);
            float[] beta = blobs.get("sc").get(1);
            int channels = b.length;
            int per = w.length / channels;
            float[] fw = new float[w.length];
            float[] fb = new float[channels];
            for (int c = 0; c < channels; c++) {
                float s = gamma[c] / (float) Math.sqrt(var[c] / factor + eps);
                for (int i = 0; i < per; i++) {
                    fw[c * per + i] = w[c * per + i] * s;
                }
                fb[c] = s * (b[c] - mean[c] / factor) + beta[c];
            }
            return new Fused(fw, fb);
        }

        private static float[] toArray(List<Float> values) {
            float[] a = new float[values.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = values.get(i);
            }
            return a;
        }
    }

    @Test
    void aBatchRunsAsItsImagesOneByOne() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 1, 1, 1}, 0.25f, 0.9921875f), blob(new int[] {2}, 0f, 3.9f)))
                .build();
        FixedPointNet sim = new FixedPointNet(net(XILINX_1X1, weights));
        float[] a = {0.5f, 0.3125f, -0.3125f, 1.984375f};
        float[] b = {-1f, 0.7f, 0.01f, -0.2f};
        float[] both = new float[8];
        System.arraycopy(a, 0, both, 0, 4);
        System.arraycopy(b, 0, both, 4, 4);
        float[] batch = Tensors.floats(sim.forward(both, 2, null).get("conv"));
        float[] one = run(sim, a);
        float[] two = run(sim, b);
        float[] joined = new float[16];
        System.arraycopy(one, 0, joined, 0, 8);
        System.arraycopy(two, 0, joined, 8, 8);
        assertArrayEquals(joined, batch);
    }

    /** Software layers run in float without a note; device layers in float and unsupported layers are listed. */
    @Test
    void notesListWhatIsNotSimulatedInIntegers() {
        String prototxt = """
                name: "mixed"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 2 kernel_size: 1 }
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 4 fl_layer_out: 4
                                          fl_params: 6 } }
                layer { name: "lrn" type: "LRN" bottom: "conv" top: "lrn" }
                layer { name: "sc" type: "Scale" bottom: "lrn" top: "sc"
                        precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 4 fl_layer_out: 4 } }
                layer { name: "ip" type: "InnerProduct" bottom: "sc" top: "ip" inner_product_param { num_output: 3 } }
                layer { name: "prob" type: "Softmax" bottom: "ip" top: "prob" }
                """;
        NetParameter definition = TestWeights.definition(prototxt);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(definition, TestWeights.random(definition, 4)));
        assertEquals(List.of("layer 'lrn' (LRN): not supported by CHaiDNN; simulated in float",
                "layer 'sc' (Scale): runs on the device but is simulated in float"), sim.notes());
        List<String> reported = new ArrayList<>();
        float[] out = Tensors.floats(sim.forward(new float[18], 1, (l, tops) -> reported.add(l.name())).get("prob"));
        assertEquals(List.of("data", "conv", "lrn", "sc", "ip", "prob"), reported);
        assertEquals(1f, out[0] + out[1] + out[2], 1e-6f);
    }

    @Test
    void badBlocksAreReportedAgainstTheirLayer() {
        String conv = """
                name: "bad"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 2 kernel_size: 1 } %s }
                """;
        assertError("net 'bad' has no precision_param blocks: it is not a quantized CHaiDNN prototxt", conv, "");
        assertError("layer 'conv': quant_type \"Int8\" is not \"Xilinx\", \"DynamicFixed\" or \"F8Net\" (compare's "
                + "F8Net, which CHaiDNN does not run)", conv,
                "precision_param { quant_type: \"Int8\" }");
        assertError("layer 'conv': precision_param has no th_layer_in (the runtime would fall back to a default: a "
                + "bug in the file)", conv, "precision_param { bw_layer_in: 8 quant_type: \"Xilinx\" }");
        assertError("layer 'conv': precision_param has 1 th_params for 2 output channels", conv,
                "precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1 th_layer_out: 1 "
                        + "th_params: 1 quant_type: \"Xilinx\" }");
        assertError("layer 'conv': precision_param th_layer_out is 0.0; the runtime divides by it", conv,
                "precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 1 th_layer_out: 0 "
                        + "th_params: 1 th_params: 1 quant_type: \"Xilinx\" }");
        assertError("layer 'conv': precision_param: bitwidth 40 is outside 2..24", conv,
                "precision_param { bw_layer_in: 40 bw_layer_out: 8 bw_params: 8 fl_layer_in: 1 fl_layer_out: 1 "
                        + "fl_params: 1 }");
        assertError("layer 'conv': precision_param: F8Net formats are 8-bit (32-bit accumulators), not 6", conv,
                "precision_param { bw_layer_in: 6 bw_layer_out: 8 bw_params: 8 fl_layer_in: 1 fl_layer_out: 1 "
                        + "fl_params: 1 quant_type: \"F8Net\" }");
        assertError("layer 'conv': precision_param: F8Net fractional length 25 is outside -8..24", conv,
                "precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 25 fl_layer_out: 1 "
                        + "fl_params: 1 quant_type: \"F8Net\" }");
        assertError("layer 'conv': precision_param: F8Net weights are 8-bit, not bw_params 32", conv,
                "precision_param { bw_layer_in: 8 bw_layer_out: 32 bw_params: 32 fl_layer_in: 1 fl_layer_out: 1 "
                        + "fl_params: 1 quant_type: \"F8Net\" }");
        assertError("layer 'conv': precision_param: F8Net accumulator fractional length 49 is outside -8..48", conv,
                "precision_param { bw_layer_in: 8 bw_layer_out: 32 bw_params: 8 fl_layer_in: 1 fl_layer_out: 49 "
                        + "fl_params: 1 quant_type: \"F8Net\" }");
    }

    private static void assertError(String message, String template, String block) {
        NetParameter definition = TestWeights.definition(String.format(template, block));
        Net net = NetLoader.build(definition, TestWeights.random(definition, 1));
        ModelException e = assertThrows(ModelException.class, () -> new FixedPointNet(net));
        assertEquals(message, e.getMessage());
    }

    @Test
    void mixedQuantTypesAreRejected() {
        String prototxt = """
                name: "mixed"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
                layer { name: "p1" type: "Pooling" bottom: "data" top: "p1" pooling_param { pool: MAX kernel_size: 1 }
                        precision_param { quant_type: "Xilinx" } }
                layer { name: "p2" type: "Pooling" bottom: "p1" top: "p2" pooling_param { pool: MAX kernel_size: 1 }
                        precision_param { quant_type: "DynamicFixed" } }
                """;
        Net net = net(prototxt, NetParameter.getDefaultInstance());
        assertEquals("net 'mixed' mixes quant_type \"DynamicFixed\" and \"Xilinx\" blocks",
                assertThrows(ModelException.class, () -> new FixedPointNet(net)).getMessage());
    }
}
