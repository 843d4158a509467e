package xportdnn.export;

import xportdnn.precision.InParamsOut;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.LayerReport;
import xportdnn.quant.TestStatistics;
import xportdnn.quant.ThresholdMethod;
import xportdnn.quant.XilinxThresholds;

class ReportJsonTest {

    @Test
    void reportOfASmallNetByHand() {
        NetParameter definition = TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 2 dim: 2 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "c"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "relu" type: "ReLU" bottom: "c" top: "c" }
                layer { name: "pool" type: "Pooling" bottom: "c" top: "p" pooling_param { kernel_size: 2 } }
                """);
        // biases within the output threshold, which therefore is not raised to cover them
        Net net = NetLoader.build(definition, NetParameter.newBuilder().addLayer(layer("conv",
                blob(new int[] {2, 2, 1, 1}, 0.5f, -0.75f, -3f, 2f), blob(new int[] {2}, 1, 1))).build());
        Map<String, BlobHistograms> stats = Map.of("data", TestStatistics.of(0.5f, -2f),
                "conv", TestStatistics.of(1f, -4f, 3f), "relu", TestStatistics.of(0f, 2f));
        XilinxThresholds t = XilinxThresholds.compute(net, stats, ThresholdMethod.parse("max"), 6);
        String json = ReportJson.of(t.method(), new InParamsOut(6, 8, 6), LayerReport.of(t, stats));
        // conv: own max 4, but the in-place ReLU sets the blob's threshold to 2, and max |x| and the clipped
        // fraction describe that blob as the pool reads it (the ReLU's output: max 2, nothing above 2).
        // th_params = per-channel max |w| = [0.75, 3].
        assertEquals("""
                {
                  "quant_type": "Xilinx",
                  "threshold_method": "max",
                  "bitwidths": {
                    "in": 6,
                    "params": 8,
                    "out": 6
                  },
                  "layers": [
                    {
                      "name": "data",
                      "type": "Input",
                      "th_layer_in": 2,
                      "th_layer_out": 2,
                      "method": "max",
                      "own_threshold": 2,
                      "max_abs": 2,
                      "clipped_fraction": 0,
                      "th_params": null
                    },
                    {
                      "name": "conv",
                      "type": "Convolution",
                      "th_layer_in": 2,
                      "th_layer_out": 2,
                      "method": "max",
                      "own_threshold": 4,
                      "max_abs": 2,
                      "clipped_fraction": 0,
                      "th_params": {
                        "count": 2,
                        "min": 0.75,
                        "max": 3,
                        "mean": 1.875,
                        "fused_with": []
                      }
                    },
                    {
                      "name": "relu",
                      "type": "ReLU",
                      "th_layer_in": 2,
                      "th_layer_out": 2,
                      "method": "max",
                      "own_threshold": 2,
                      "max_abs": 2,
                      "clipped_fraction": 0,
                      "th_params": null
                    },
                    {
                      "name": "pool",
                      "type": "Pooling",
                      "th_layer_in": 2,
                      "th_layer_out": 2,
                      "method": "pass-through",
                      "own_threshold": null,
                      "max_abs": null,
                      "clipped_fraction": null,
                      "th_params": null
                    }
                  ]
                }
                """, json);
    }
}
