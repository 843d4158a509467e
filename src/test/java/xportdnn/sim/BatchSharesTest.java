package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.BatchShares;
import xportdnn.engine.EngineThreads;
import xportdnn.engine.layers.Layers;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A batch computed in shares ({@link BatchShares}, on threads of their own) gives what its images give one by one
 * (a batch of one never splits), with the wrapped averages of each image where it was.
 */
class BatchSharesTest {

    /**
     * A small SqueezeNet: strided 3x3 convolution, MAX pooling, a fire module (squeeze, two expands, Concat), a
     * classifier convolution, a global average pooling whose output format is 3 bits finer than its input (so
     * bright images wrap), an InnerProduct and a Softmax in float. DynamicFixed, 8 bits.
     */
    private static final String NET = """
            name: "small_squeezenet"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 15 dim: 15 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 3 fl_layer_out: 2
                                      fl_params: 7 quant_type: "DynamicFixed" } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 2
                                      quant_type: "DynamicFixed" } }
            layer { name: "squeeze" type: "Convolution" bottom: "pool1" top: "squeeze"
                    convolution_param { num_output: 4 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 2 fl_layer_out: 2
                                      fl_params: 7 quant_type: "DynamicFixed" } }
            layer { name: "relu_s" type: "ReLU" bottom: "squeeze" top: "squeeze" }
            layer { name: "expand1" type: "Convolution" bottom: "squeeze" top: "expand1"
                    convolution_param { num_output: 6 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 2 fl_layer_out: 2
                                      fl_params: 7 quant_type: "DynamicFixed" } }
            layer { name: "expand3" type: "Convolution" bottom: "squeeze" top: "expand3"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 2 fl_layer_out: 2
                                      fl_params: 7 quant_type: "DynamicFixed" } }
            layer { name: "concat" type: "Concat" bottom: "expand1" bottom: "expand3" top: "concat"
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 2
                                      quant_type: "DynamicFixed" } }
            layer { name: "classifier" type: "Convolution" bottom: "concat" top: "classifier"
                    convolution_param { num_output: 5 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 2 fl_layer_out: 2
                                      fl_params: 7 quant_type: "DynamicFixed" } }
            layer { name: "relu_c" type: "ReLU" bottom: "classifier" top: "classifier" }
            layer { name: "pool_final" type: "Pooling" bottom: "classifier" top: "pool_final"
                    pooling_param { pool: AVE global_pooling: true }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 fl_layer_in: 2 fl_layer_out: 5
                                      quant_type: "DynamicFixed" } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool_final" top: "fc"
                    inner_product_param { num_output: 4 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;
    private static final int IMAGE = 3 * 15 * 15;

    /**
     * A quantized convolution, then the float layers with weights: Deconvolution (2x2, stride 2), BatchNorm, Scale
     * with bias, PReLU and Normalize (per pixel), each its own step (nothing fuses them).
     */
    private static final String FLOAT_LAYERS_NET = """
            name: "float_layers"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 6 dim: 6 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 fl_layer_in: 3 fl_layer_out: 3
                                      fl_params: 7 quant_type: "DynamicFixed" } }
            layer { name: "deconv" type: "Deconvolution" bottom: "conv" top: "deconv"
                    convolution_param { num_output: 3 kernel_size: 2 stride: 2 } }
            layer { name: "bn" type: "BatchNorm" bottom: "deconv" top: "bn" }
            layer { name: "scale" type: "Scale" bottom: "bn" top: "scale" scale_param { bias_term: true } }
            layer { name: "prelu" type: "PReLU" bottom: "scale" top: "prelu" }
            layer { name: "norm" type: "Normalize" bottom: "prelu" top: "norm"
                    norm_param { across_spatial: false channel_shared: false } }
            """;
    private static final int FLOAT_LAYERS_IMAGE = 3 * 6 * 6;

    /** Also with a fused convolution computed in float ({@code --float_layers}): the shares' float ops too. */
    @ParameterizedTest(name = "float layers {0}")
    @ValueSource(strings = {"", "expand3"})
    void sharesComputeWhatEachImageAloneComputes(String floatLayer) {
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 5));
        Set<String> floatLayers = floatLayer.isEmpty() ? Set.of() : Set.of(floatLayer);
        FixedPointNet shared = new FixedPointNet(net, floatLayers);
        FixedPointNet alone = new FixedPointNet(net, floatLayers);
        assertEquals(floatLayers, shared.floatLayers());
        Random random = new Random(13);
        int openMp = EngineThreads.setOpenMp(3); // three shares, whatever this machine has
        try {
            boolean sawWrapped = false;
            boolean sawClean = false;
            for (int batch : new int[] {2, 3, 5, 7, 16, 1}) {
                assertEquals(Math.min(batch, 3), BatchShares.count(batch));
                float[] input = new float[batch * IMAGE];
                for (int i = 0; i < input.length; i++) { // every third image bright: its averages wrap
                    input[i] = (float) (random.nextGaussian() * (i / IMAGE % 3 == 1 ? 40 : 0.05));
                }
                float[] prob = Tensors.floats(shared.forward(input, batch, null).get("prob"));
                boolean[] wrapped = shared.lastPassWrappedAverages().get("pool_final");
                assertEquals(batch, wrapped.length);
                List<Float> expected = new ArrayList<>();
                for (int n = 0; n < batch; n++) {
                    float[] image = Arrays.copyOfRange(input, n * IMAGE, (n + 1) * IMAGE);
                    for (float p : Tensors.floats(alone.forward(image, 1, null).get("prob"))) {
                        expected.add(p);
                    }
                    boolean imageWrapped = alone.lastPassWrappedAverages().get("pool_final")[0];
                    assertEquals(imageWrapped, wrapped[n], "batch " + batch + ", image " + n);
                    sawWrapped |= imageWrapped;
                    sawClean |= !imageWrapped;
                }
                assertArrayEquals(toArray(expected), prob, "batch " + batch);
            }
            assertTrue(sawWrapped, "no image wrapped");
            assertTrue(sawClean, "every image wrapped");
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
    }

    /**
     * The float layers with weights take the first net's weights in the other shares (their float ops share them)
     * and compute there what each image alone computes, to the bit.
     */
    @Test
    void floatLayersWithWeightsShareThemAndComputeWhatEachImageAloneComputes() {
        NetParameter definition = TestWeights.definition(FLOAT_LAYERS_NET);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 9));
        FixedPointNet shared = new FixedPointNet(net);
        FixedPointNet alone = new FixedPointNet(net);
        Random random = new Random(17);
        int openMp = EngineThreads.setOpenMp(3);
        try {
            int batch = 5;
            float[] input = new float[batch * FLOAT_LAYERS_IMAGE];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) random.nextGaussian() * 4;
            }
            float[] norm = Tensors.floats(shared.forward(input, batch, null).get("norm"));
            List<Float> expected = new ArrayList<>();
            for (int n = 0; n < batch; n++) {
                float[] image = Arrays.copyOfRange(input, n * FLOAT_LAYERS_IMAGE, (n + 1) * FLOAT_LAYERS_IMAGE);
                for (float v : Tensors.floats(alone.forward(image, 1, null).get("norm"))) {
                    expected.add(v);
                }
            }
            assertArrayEquals(toArray(expected), norm);
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
        // the layers the simulator computes in float: each op shares its weights (a share would copy them else)
        for (String name : List.of("deconv", "bn", "scale", "prelu", "norm")) {
            Layer l = net.layer(name);
            assertFalse(shared.blobFormats().containsKey(l.tops().get(0)), name + " is computed in float");
            assertNotNull(Layers.create(l, net.bottomShapes(l)).sharingWeights(), "a share would copy " + name);
        }
    }

    /**
     * A net closed after a pass in three shares (its InnerProduct's native weights and its shares' freed) computes,
     * in the next pass, what each image alone computes.
     */
    @Test
    void aClosedNetComputesItsNextPassAsEachImageAlone() {
        NetParameter definition = TestWeights.definition(NET);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 8));
        FixedPointNet alone = new FixedPointNet(net);
        int batch = 5;
        float[] input = new float[batch * IMAGE];
        Random random = new Random(19);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        List<Float> expected = new ArrayList<>();
        for (int n = 0; n < batch; n++) {
            for (float p : Tensors.floats(alone.forward(Arrays.copyOfRange(input, n * IMAGE, (n + 1) * IMAGE), 1,
                    null).get("prob"))) {
                expected.add(p);
            }
        }
        int openMp = EngineThreads.setOpenMp(3);
        try (FixedPointNet shared = new FixedPointNet(net)) {
            shared.forward(input, batch, null);
            shared.close();
            assertArrayEquals(toArray(expected), Tensors.floats(shared.forward(input, batch, null).get("prob")));
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
    }

    /**
     * close() frees every ND4J array the integer convolutions of the net and of its shares made (the first's weight
     * matrices, everyone's working matrices), each once: a share's weights are the first's arrays, and a second
     * close finds nothing left to free.
     */
    @Test
    void closeFreesTheIntegerConvolutionsArraysAndMayBeRepeated() {
        NetParameter definition = TestWeights.definition(NET);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(definition, TestWeights.random(definition, 8)));
        float[] input = new float[3 * IMAGE];
        Random random = new Random(23);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        int openMp = EngineThreads.setOpenMp(3);
        List<IntConvolution> convolutions = new ArrayList<>();
        List<INDArray> owned = new ArrayList<>();
        List<INDArray> shareWeights = new ArrayList<>();
        try {
            sim.forward(input, 3, null);
            for (int s = 0; s < 3; s++) {
                for (SimStep step : sim.shareNet(s).steps()) {
                    if (step instanceof IntegerStep integer && integer.op() instanceof IntConvolution conv) {
                        convolutions.add(conv);
                        owned.addAll(conv.ownArrays());
                        if (s > 0) {
                            shareWeights.addAll(conv.weights());
                        }
                    }
                }
            }
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
        assertEquals(15, convolutions.size()); // five in each of three shares
        // the first's five weight matrices (one group each) and everyone's column matrix and product
        assertEquals(5 + 15 * 2, owned.size());
        assertEquals(10, shareWeights.size());
        assertTrue(owned.stream().noneMatch(INDArray::wasClosed));
        sim.close();
        assertTrue(owned.stream().allMatch(INDArray::wasClosed));
        assertTrue(shareWeights.stream().allMatch(INDArray::wasClosed)); // the first's, freed by it
        assertTrue(convolutions.stream().allMatch(c -> c.ownArrays().isEmpty()));
        sim.close();
        assertTrue(convolutions.stream().allMatch(c -> c.ownArrays().isEmpty()));
    }

    /** An observer sees every step of the whole batch, in order: such a pass is not split. */
    @Test
    void anObservedPassShowsWholeSteps() {
        NetParameter definition = TestWeights.definition(NET);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(definition, TestWeights.random(definition, 6)));
        int batch = 5;
        float[] input = new float[batch * IMAGE];
        Random random = new Random(2);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian() * 3;
        }
        int openMp = EngineThreads.setOpenMp(2);
        try {
            float[] unobserved = Tensors.floats(sim.forward(input, batch, null).get("prob"));
            List<String> seen = new ArrayList<>();
            float[][] last = new float[1][];
            Map<String, INDArray> out = sim.forwardValues(input, batch, (layer, tops) -> {
                seen.add(layer.name());
                assertEquals(0, tops.get(0).length % batch, layer.name());
                last[0] = tops.get(0);
            });
            assertEquals(sim.reportedLayers(), seen);
            assertEquals(batch * 4, last[0].length);
            assertArrayEquals(unobserved, last[0]);
            assertArrayEquals(unobserved, Tensors.floats(out.get("prob")));
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
    }

    /** The nets computing the other shares convolve with the first net's weight arrays, not copies of them. */
    @Test
    void sharesConvolveWithTheFirstNetsWeights() {
        NetParameter definition = TestWeights.definition(NET);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(definition, TestWeights.random(definition, 8)));
        int openMp = EngineThreads.setOpenMp(3);
        try {
            sim.forward(new float[3 * IMAGE], 3, null);
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
        List<SimStep> first = sim.steps();
        for (int s = 1; s < 3; s++) {
            List<SimStep> share = sim.shareNet(s).steps();
            int convolutions = 0;
            for (int i = 0; i < first.size(); i++) {
                if (first.get(i) instanceof IntegerStep step && step.op() instanceof IntConvolution conv) {
                    IntConvolution other = (IntConvolution) ((IntegerStep) share.get(i)).op();
                    assertNotSame(conv, other); // its working memory its own
                    List<INDArray> weights = conv.weights();
                    for (int g = 0; g < weights.size(); g++) {
                        assertSame(weights.get(g), other.weights().get(g), "share " + s + ", step " + i);
                    }
                    convolutions++;
                }
            }
            assertEquals(5, convolutions); // conv1, squeeze, expand1, expand3, classifier
        }
    }

    /**
     * A split pass checks the memory of its whole batch, which holds its shares' outputs, and its shares check none
     * of their own: one check for a run of passes of one batch size, one more when the size changes.
     */
    @Test
    void splitPassesCheckTheMemoryOncePerBatchSize() {
        NetParameter definition = TestWeights.definition(NET);
        FixedPointNet sim = new FixedPointNet(NetLoader.build(definition, TestWeights.random(definition, 7)));
        int[] checks = new int[1];
        sim.heapBytes(() -> {
            checks[0]++;
            return Long.MAX_VALUE;
        });
        int openMp = EngineThreads.setOpenMp(2);
        try {
            for (int pass = 0; pass < 3; pass++) {
                sim.forward(new float[4 * IMAGE], 4, null);
            }
            assertEquals(1, checks[0]);
            sim.forward(new float[5 * IMAGE], 5, null);
            assertEquals(2, checks[0]);
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }
}
