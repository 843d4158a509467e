package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.F8NetScheme;
import xportdnn.precision.InParamsOut;

/** F8Net's formats of a small residual net, from hand-made statistics. */
class F8NetFormatsTest {

    private static final String NET = """
            name: "res"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 4 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "conv1" bottom: "conv2" top: "sum" }
            layer { name: "relu2" type: "ReLU" bottom: "sum" top: "sum" }
            layer { name: "pool" type: "Pooling" bottom: "sum" top: "pool" pooling_param { pool: MAX kernel_size: 1 } }
            layer { name: "ave" type: "Pooling" bottom: "pool" top: "ave" pooling_param { pool: AVE kernel_size: 1 } }
            """;

    /**
     * Image std 2, signed: floor(log2(40 / 2)) = 4. conv1 (a ReLU rewrites it in place, so unsigned) std 1:
     * floor(log2 70) = 6; its weights 0.25, -0.25, std 0.25: floor(log2 160) = 7. conv2 std 0.5, signed:
     * floor(log2 80) = 6; weights +-3: floor(log2 13.3) = 3. The sum, unsigned, std 4: floor(log2 17.5) = 4. The
     * ReLUs and the max pooling keep their input's; the average pooling gets none (float).
     */
    @Test
    void formatsFromEachTensorsStandardDeviation() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 0.25f, -0.25f), blob(new int[] {2}, 0f, 0f)))
                .addLayer(layer("conv2", blob(new int[] {2, 2, 1, 1}, 3f, -3f, 3f, -3f), blob(new int[] {2}, 0f, 0f)))
                .build();
        Net net = NetLoader.build(TestWeights.definition(NET), weights);
        Map<String, BlobHistograms> stats = new LinkedHashMap<>();
        stats.put("data", TestStatistics.of(-2, 2, -2, 2));
        stats.put("conv1", TestStatistics.of(-1, 1, -1, 1));
        stats.put("relu1", TestStatistics.of(0, 1, 0, 1));
        stats.put("conv2", TestStatistics.of(-0.5f, 0.5f));
        stats.put("sum", TestStatistics.of(-4, 4));
        stats.put("relu2", TestStatistics.of(0, 4));
        stats.put("pool", TestStatistics.of(0, 4));
        stats.put("ave", TestStatistics.of(0, 4));

        Map<String, InParamsOut> expected = new LinkedHashMap<>();
        expected.put("conv1", new InParamsOut(4, 7, 6));
        expected.put("relu1", new InParamsOut(6, 0, 6));
        expected.put("conv2", new InParamsOut(6, 3, 6));
        expected.put("sum", new InParamsOut(6, 0, 4));
        expected.put("relu2", new InParamsOut(4, 0, 4));
        expected.put("pool", new InParamsOut(4, 0, 4));
        assertEquals(expected, F8NetFormats.choose(net, stats));

        F8NetScheme scheme = new F8NetScheme(net);
        for (String unsigned : new String[] {"conv1", "relu1", "sum", "relu2", "pool", "ave"}) {
            assertTrue(scheme.unsignedOutput(net.layer(unsigned)), unsigned);
        }
        assertFalse(scheme.unsignedOutput(net.layer("conv2")));
        assertFalse(scheme.unsignedInput(net.layer("conv1")));
        assertTrue(scheme.unsignedInput(net.layer("conv2")));
        assertTrue(scheme.unsignedInput(net.layer("sum")));
    }
}
