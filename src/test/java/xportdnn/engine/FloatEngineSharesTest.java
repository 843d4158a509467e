package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A pass without an observer runs as shares of the batch ({@link BatchShares}) and gives what each image gives
 * alone; a net whose images meet (SSD's PriorBox and DetectionOutput) or a layer working along the batch axis keeps
 * the batch whole.
 */
class FloatEngineSharesTest {

    private static final String INPUT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 15 dim: 15 } } }
            """;

    /** Strided convolution, ReLU, MAX pooling, a fire module, a global average pooling, InnerProduct, Softmax. */
    private static final String SMALL_SQUEEZENET = INPUT + """
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "squeeze" type: "Convolution" bottom: "pool1" top: "squeeze"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "relu_s" type: "ReLU" bottom: "squeeze" top: "squeeze" }
            layer { name: "expand1" type: "Convolution" bottom: "squeeze" top: "expand1"
                    convolution_param { num_output: 6 kernel_size: 1 } }
            layer { name: "expand3" type: "Convolution" bottom: "squeeze" top: "expand3"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
            layer { name: "concat" type: "Concat" bottom: "expand1" bottom: "expand3" top: "concat" }
            layer { name: "pool_final" type: "Pooling" bottom: "concat" top: "pool_final"
                    pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool_final" top: "fc" inner_product_param { num_output: 4 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    /** SSD's last layers: one prior set for the batch, every image's detections in one list. */
    private static final String SMALL_SSD = INPUT + """
            layer { name: "img" type: "Input" top: "img" input_param { shape { dim: 1 dim: 3 dim: 60 dim: 60 } } }
            layer { name: "loc" type: "Convolution" bottom: "data" top: "loc"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "loc_perm" type: "Permute" bottom: "loc" top: "loc_perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "loc_flat" type: "Flatten" bottom: "loc_perm" top: "loc_flat" }
            layer { name: "conf" type: "Convolution" bottom: "data" top: "conf"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "conf_perm" type: "Permute" bottom: "conf" top: "conf_perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "conf_flat" type: "Flatten" bottom: "conf_perm" top: "conf_flat" }
            layer { name: "conf_reshape" type: "Reshape" bottom: "conf_flat" top: "conf_reshape"
                    reshape_param { shape { dim: 0 dim: -1 dim: 2 } } }
            layer { name: "conf_softmax" type: "Softmax" bottom: "conf_reshape" top: "conf_softmax"
                    softmax_param { axis: 2 } }
            layer { name: "conf_prob" type: "Flatten" bottom: "conf_softmax" top: "conf_prob" }
            layer { name: "priors" type: "PriorBox" bottom: "data" bottom: "img" top: "priors"
                    prior_box_param { min_size: 12 max_size: 25 flip: false clip: true
                                      variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
            layer { name: "detection" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_prob"
                    bottom: "priors" top: "detection"
                    detection_output_param { num_classes: 2 share_location: true background_label_id: 0
                                             nms_param { nms_threshold: 0.3 top_k: 20 } code_type: CENTER_SIZE
                                             keep_top_k: 15 confidence_threshold: 0.01 } }
            """;

    private static final int IMAGE = 3 * 15 * 15;

    private static Net net(String prototxt) {
        NetParameter definition = TestWeights.definition("name: \"t\"\n" + prototxt);
        return NetLoader.build(definition, TestWeights.random(definition, 3));
    }

    private static float[] randomImages(int batch, long seed) {
        return ObservedPass.gaussian(seed, batch * IMAGE);
    }

    @Test
    void sharesComputeWhatEachImageAloneComputes() {
        FloatEngine engine = new FloatEngine(net(SMALL_SQUEEZENET));
        int openMp = EngineThreads.setOpenMp(3); // three shares, whatever this machine has
        try {
            for (int batch : new int[] {2, 3, 5, 7, 16, 1}) {
                assertEquals(Math.min(batch, 3), BatchShares.count(batch));
                float[] input = randomImages(batch, batch);
                float[] shared = Tensors.floats(engine.forward(Tensors.of(input, batch, 3, 15, 15)).get("prob"));
                float[] whole = ObservedPass.everyLayer(engine, Tensors.of(input, batch, 3, 15, 15), "prob");
                assertArrayEquals(whole, shared, 1e-6f, "batch " + batch);
                for (int n = 0; n < batch; n++) {
                    float[] image = Arrays.copyOfRange(input, n * IMAGE, (n + 1) * IMAGE);
                    float[] alone = Tensors.floats(engine.forward(Tensors.of(image, 1, 3, 15, 15)).get("prob"));
                    assertArrayEquals(alone, Arrays.copyOfRange(shared, n * 4, (n + 1) * 4), 1e-6f,
                            "batch " + batch + ", image " + n);
                }
            }
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
    }

    @Test
    void aDetectionNetKeepsItsBatchWhole() {
        Net net = net(SMALL_SSD);
        assertFalse(BatchShares.separable(net));
        FloatEngine engine = new FloatEngine(net);
        int openMp = EngineThreads.setOpenMp(2);
        try {
            INDArray data = Tensors.of(randomImages(2, 5), 2, 3, 15, 15);
            INDArray img = Tensors.of(new float[2 * 3 * 60 * 60], 2, 3, 60, 60);
            java.util.Map<String, INDArray> inputs = java.util.Map.of("data", data, "img", img);
            INDArray withoutObserver = engine.forward(inputs, null).get("detection");
            INDArray whole = engine.forward(inputs, (layer, tops) -> { }).get("detection");
            assertArrayEquals(whole.shape(), withoutObserver.shape());
            assertArrayEquals(Tensors.floats(whole), Tensors.floats(withoutObserver));
            assertEquals(1f, whole.getFloat(1, 0, 0, 0)); // the second image's first detection names image 1
        } finally {
            EngineThreads.setOpenMp(openMp);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "layer { name: 'c' type: 'Concat' bottom: 'data' bottom: 'data' top: 'c' concat_param { axis: 0 } } | false",
        "layer { name: 'c' type: 'Concat' bottom: 'data' bottom: 'data' top: 'c' concat_param { concat_dim: 0 } } | false",
        "layer { name: 'c' type: 'Concat' bottom: 'data' bottom: 'data' top: 'c' concat_param { axis: -3 } } | true",
        "layer { name: 's' type: 'Softmax' bottom: 'data' top: 's' softmax_param { axis: -4 } } | false",
        "layer { name: 's' type: 'Softmax' bottom: 'data' top: 's' } | true",
        "layer { name: 'f' type: 'Flatten' bottom: 'data' top: 'f' flatten_param { axis: 0 } } | false",
        "layer { name: 'r' type: 'Reshape' bottom: 'data' top: 'r' reshape_param { shape { dim: 0 dim: -1 } } } | true",
        "layer { name: 'r' type: 'Reshape' bottom: 'data' top: 'r' reshape_param { shape { dim: -1 dim: 15 } } } | false",
        "layer { name: 'p' type: 'Permute' bottom: 'data' top: 'p' permute_param { order: 1 order: 0 } } | false",
        "layer { name: 'p' type: 'Permute' bottom: 'data' top: 'p' permute_param { order: 0 order: 2 } } | true",
    })
    void aLayerAlongTheBatchAxisKeepsTheBatchWhole(String layer, boolean separable) {
        assertEquals(separable, BatchShares.separable(net(INPUT + layer.replace('\'', '"'))));
        assertTrue(BatchShares.separable(net(SMALL_SQUEEZENET)));
    }
}
