package xportdnn.export;

import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.Arrays;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/** A small net built in code with hand-chosen weights, for the exporter and command-line tests. */
public final class SmallNet {

    private SmallNet() {
    }

    /** Every layer type of the table's DynamicFixed column, plus layers that must not get a block. */
    public static final String DEFINITION = """
            name: "small"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 4 dim: 2 dim: 4 dim: 4 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 2 kernel_size: 1 }
                    precision_param { bw_layer_in: 16 quant_type: "Xilinx" th_params: 1 } }
            layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" batch_norm_param { eps: 0.001 } }
            layer { name: "sc" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" precision_param { bw_layer_in: 8 } }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "sc2" type: "Scale" bottom: "pool" top: "sc2" }
            layer { name: "add" type: "Eltwise" bottom: "pool" bottom: "sc2" top: "add" }
            layer { name: "perm" type: "Permute" bottom: "add" top: "perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "ip" type: "InnerProduct" bottom: "perm" top: "ip" inner_product_param { num_output: 3 } }
            layer { name: "prob" type: "Softmax" bottom: "ip" top: "prob" }
            """;

    public static Net net() throws Exception {
        return NetLoader.build(TestWeights.definition(DEFINITION), weights());
    }

    /** The learned values of {@link #DEFINITION}, as a caffemodel would hold them. */
    public static NetParameter weights() {
        return NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {2, 2, 1, 1}, 0.5f, -0.25f, 1f, 2f),
                        blob(new int[] {2}, 0, 1)))
                // stored mean, variance, scale factor 2: true mean [0.75, -0.15], true variance [4, 0.015]
                .addLayer(layer("bn", blob(new int[] {2}, 1.5f, -0.3f), blob(new int[] {2}, 8f, 0.03f),
                        blob(new int[] {1}, 2f)))
                .addLayer(layer("sc", blob(new int[] {2}, 2f, -0.5f), blob(new int[] {2}, 0.1f, 10f)))
                .addLayer(layer("sc2", blob(new int[] {2}, 3f, 0.25f)))
                .addLayer(layer("ip", blob(new int[] {3, 8}, new float[24]), blob(new int[] {3}, 0, 0, 0)))
                .build();
    }

    /**
     * Input -> BatchNorm -> Scale (with bias), not in place, one channel per mean: a pair the device runs as an op of
     * its own (OPCODE_BN). Variance 1 and scale factor 1, so the mean is {@code mean} itself.
     */
    public static Net batchNormPair(float[] mean, float[] gamma, float[] beta) {
        NetParameter definition = TestWeights.definition("""
                name: "pair"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: %d dim: 2 dim: 2 } } }
                layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }
                layer { name: "sc" type: "Scale" bottom: "bn" top: "sc" scale_param { bias_term: true } }
                """.formatted(mean.length));
        float[] ones = new float[mean.length];
        Arrays.fill(ones, 1f);
        int[] channels = {mean.length};
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("bn", blob(channels, mean), blob(channels, ones), blob(new int[] {1}, 1f)))
                .addLayer(layer("sc", blob(channels, gamma), blob(channels, beta)))
                .build();
        return NetLoader.build(definition, weights);
    }
}
