package xportdnn.quant;

import xportdnn.precision.DynamicFixed;
import xportdnn.precision.InParamsOut;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Blob;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

class DynamicFixedFormatsTest {

    /**
     * |x| uniform on [0, 3.9] at 4 bits. fl 0 (step 1, nothing saturates) costs 1/12 per value; fl 1 (step 1/2,
     * largest value 3.5) costs 1/48 of rounding on 90% of values plus the clipped tail (10%, mean square 0.053):
     * about 0.024, the least; fl 2 saturates at 1.75 and costs far more. So fl 1: largest value 7 * 2^-1.
     */
    @Test
    void errorOptimalFormatOfAUniformBlob() {
        float[] v = new float[39_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i + 0.5f) / 10_000f;
        }
        assertEquals(3.5, new FixedPointErrorThreshold().threshold(ThresholdMethodsTest.statistics(v), 4), 0);
        assertEquals(1, DynamicFixed.largestFl(-3.5, 3.5, 4));
    }

    @Test
    void allZeroBlobGetsTheNeutralFormat() {
        double th = new FixedPointErrorThreshold().threshold(ThresholdMethodsTest.statistics(new float[10]), 8);
        assertEquals(0, th, 0);
        assertEquals(7, DynamicFixed.largestFl(-th, th, 8));
    }

    /**
     * Weights {0.9, -0.3, 0.05} at 4 bits: fl 2 saturates nothing (0.9 * 4 = 3.6 < 7.5) with squared error
     * 0.1^2 + 0.05^2 + 0.05^2 = 0.015; fl 3 saturates 0.9 to 7/8 and gives 0.025^2 + 0.05^2 + 0.05^2 = 0.005625;
     * fl 4 saturates 0.9 to 7/16 (0.214): worse. So fl 3.
     */
    @Test
    void weightFormatTradesOneSaturatedWeightForResolution() {
        assertEquals(3, DynamicFixedFormats.weightFl(new Blob(new int[] {3}, new float[] {0.9f, -0.3f, 0.05f}), 4));
    }

    /**
     * The device writes an average pooling in its own format and wraps what does not fit, so the pooling gets the
     * finest format holding 1.5 times its largest calibration output ({@link PoolingHeadroom}) rather than its
     * input's (6 -> fl 4), and the layer reading it follows; a max pooling passes its input's format on. Largest
     * output 1.5: fl 6 would hold it (up to 1.98) but not 2.25, so fl 5 (up to 3.97); largest output 1.2: fl 6 holds
     * 1.8, nothing added. An average of almost nothing is held at 8 bits finer than its input (the device's shift
     * cannot be negative).
     */
    @Test
    void averagePoolingGetsItsOwnFormat() {
        NetParameter definition = TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "relu" type: "ReLU" bottom: "c" top: "c" }
                layer { name: "max" type: "Pooling" bottom: "c" top: "m" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "avg" type: "Pooling" bottom: "m" top: "a" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "next" type: "Convolution" bottom: "a" top: "n" convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "tiny" type: "Pooling" bottom: "c" top: "t" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "small" type: "Pooling" bottom: "m" top: "s"
                        pooling_param { pool: AVE global_pooling: true } }
                """);
        Net net = NetLoader.build(definition, TestWeights.random(definition, 5));
        Map<String, BlobHistograms> stats = new HashMap<>();
        float[][] values = {{10, -3}, {8, -8}, {6, 0}, {6, 1}, {1.5f, 0.5f}, {3, -1}, {0.001f, 0}, {1.2f, 0}};
        String[] layers = {"data", "conv", "relu", "max", "avg", "next", "tiny", "small"};
        for (int i = 0; i < layers.length; i++) {
            stats.put(layers[i], TestStatistics.of(values[i]));
        }
        Map<String, InParamsOut> f = DynamicFixedFormats.choose(net, stats, new InParamsOut(8, 8, 8)).formats();
        assertEquals(4, f.get("max").in());
        assertEquals(4, f.get("max").out());
        assertEquals(4, f.get("avg").in());
        assertEquals(5, f.get("avg").out());
        assertEquals(5, f.get("next").in());
        assertEquals(6, f.get("small").out());
        assertEquals(12, f.get("tiny").out()); // 6 / 256 = 0.0234: fl 4 + 8
    }
}
