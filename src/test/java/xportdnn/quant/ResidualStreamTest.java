package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;

/**
 * Which blobs block floating point holds wider: two residual blocks (ResNet's, a ReLU in place after each
 * convolution and each sum), the second sum read by the classifier's average pooling, a sum that a max pooling
 * also reads, and a product and a weighted sum of convolution outputs.
 */
class ResidualStreamTest {

    private static final String NET = """
            name: "res"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
            layer { name: "conv3" type: "Convolution" bottom: "conv2" top: "conv3" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "sum1" type: "Eltwise" bottom: "conv1" bottom: "conv3" top: "sum1" }
            layer { name: "relu3" type: "ReLU" bottom: "sum1" top: "sum1" }
            layer { name: "conv4" type: "Convolution" bottom: "sum1" top: "conv4" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "sum2" type: "Eltwise" bottom: "sum1" bottom: "conv4" top: "sum2" }
            layer { name: "pool" type: "Pooling" bottom: "sum2" top: "pool" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "sum3" type: "Eltwise" bottom: "conv4" bottom: "data" top: "sum3" }
            layer { name: "max" type: "Pooling" bottom: "sum3" top: "max" pooling_param { pool: MAX kernel_size: 2 } }
            layer { name: "conv5" type: "Convolution" bottom: "max" top: "conv5" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "conv6" type: "Convolution" bottom: "max" top: "conv6" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "prod" type: "Eltwise" bottom: "conv5" bottom: "conv6" top: "prod" eltwise_param { operation: PROD } }
            layer { name: "diff" type: "Eltwise" bottom: "prod" bottom: "conv6" top: "diff" eltwise_param { coeff: 1 coeff: -1 } }
            layer { name: "conv7" type: "Convolution" bottom: "diff" top: "conv7" convolution_param { num_output: 2 kernel_size: 1 } }
            """;

    @Test
    void theStreamIsWhatEltwiseLayersJoinAndOnlyConvolutionsAndSumsRead() {
        var net = NetLoader.build(TestWeights.definition(NET), null);
        // conv1 (the first shortcut), conv3 (the branch's output) and sum1 (read by conv4 and sum2) are the
        // stream; conv2 no Eltwise reads; sum2 the average pooling reads; sum3 a max pooling reads; the image
        // is written by the Input layer; a product and a weighted sum (computed in float) join no stream: conv5,
        // conv6, prod and diff are not in it
        assertEquals(Set.of("conv1", "conv3", "sum1", "conv4"), ResidualStream.of(net));
    }
}
