package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.tune.TuningTarget;

/**
 * A net whose output is an SSD DetectionOutput is tuned on the device's input; a classifier, and a net that only
 * holds SSD heads without a DetectionOutput, on the float net's outputs (as before, so their tuned files do not
 * change).
 */
class FineTuningTargetTest {

    /** Shapes only: a loc and a conf map with their priors (no Permute, no Softmax: the rule reads the output). */
    private static final String HEADS = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "loc" type: "Convolution" bottom: "data" top: "loc"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "loc_flat" type: "Flatten" bottom: "loc" top: "loc_flat" }
            layer { name: "conf" type: "Convolution" bottom: "data" top: "conf"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "conf_flat" type: "Flatten" bottom: "conf" top: "conf_flat" }
            layer { name: "priors" type: "PriorBox" bottom: "data" bottom: "data" top: "priors"
                    prior_box_param { min_size: 4 flip: false clip: true
                                      variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
            """;

    private static final String DETECTOR = HEADS + """
            layer { name: "detection" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_flat"
                    bottom: "priors" top: "detection"
                    detection_output_param { num_classes: 2 share_location: true background_label_id: 0
                                             nms_param { nms_threshold: 0.3 top_k: 20 } code_type: CENTER_SIZE
                                             keep_top_k: 15 confidence_threshold: 0.01 } }
            """;

    private static final String CLASSIFIER = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 3 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    @Test
    void onlyADetectorIsTunedOnTheDevicesInput() {
        assertEquals(TuningTarget.DEVICE_INPUT, FineTuning.target(net(DETECTOR)));
        assertEquals(TuningTarget.FLOAT_OUTPUT, FineTuning.target(net(CLASSIFIER)));
        assertEquals(TuningTarget.FLOAT_OUTPUT, FineTuning.target(net(HEADS)));
    }

    private static Net net(String prototxt) {
        NetParameter definition = TestWeights.definition("name: \"t\"\n" + prototxt);
        return NetLoader.build(definition, TestWeights.random(definition, 3));
    }
}
