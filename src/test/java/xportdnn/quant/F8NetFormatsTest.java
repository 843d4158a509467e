package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.F8NetScheme;
import xportdnn.precision.F8NetScheme.Lengths;

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
     * Every tensor by the least squared error: the weights over their values, activations over their calibration
     * histograms. The
     * image (|x| = 2 four times, in the last of the histogram's 8192 bins, centre 2 - 2 / 16384): signed, fl 5 is
     * the finest whose codes reach it (127 / 32 = 3.97; at fl 6, 127 / 64 = 1.98 clips it). conv1, which relu1
     * rewrites in place, is measured after relu1 (0, 1, 0, 1; zeros are exact in any format), unsigned: fl 7
     * (255 / 128 = 1.99 reaches 1, 255 / 256 does not); its weights +-0.25: fl 8, the finest that holds them exactly
     * (127 / 256 = 0.496; 127 / 512 clips them). conv2 (+-0.5, signed): fl 7 (127 / 128 = 0.99); its weights,
     * an fl per output channel: channel 0's +-3 fl 5 (127 / 32 = 3.97; 127 / 64 clips them), channel 1's 0.25 and
     * -0.125 fl 8 (exact; 127 / 512 = 0.248 clips 0.25; one fl for both channels would be 5, holding 0.125 as
     * 4 / 32 and channel 1 in 3 bits). But conv1 and conv2 are read by the sum, so F8Net's reference keeps them,
     * and the sum, as 32-bit accumulators at the fl that holds them exactly: conv1 at 5 + 8 = 13, conv2 at
     * 7 + max(5, 8) = 15, the sum at max(13, 15) = 15 (all far within 2^31: |x| <= 4 at 2^15); conv2 reads conv1
     * in 8-bit codes of its own, unsigned fl 7 (255 / 128 = 1.99 reaches 1, measured after relu1). The ReLUs and the
     * max pooling keep their input's accumulator; the average pooling gets none (float).
     */
    @Test
    void formatsFromCalibrationErrorAndWeightDeviation() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 0.25f, -0.25f), blob(new int[] {2}, 0f, 0f)))
                .addLayer(layer("conv2", blob(new int[] {2, 2, 1, 1}, 3f, -3f, 0.25f, -0.125f),
                        blob(new int[] {2}, 0f, 0f)))
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

        Map<String, Lengths> expected = new LinkedHashMap<>();
        expected.put("conv1", new Lengths(5, List.of(8, 8), 13, false, true));
        expected.put("relu1", new Lengths(13, List.of(), 13, true, true));
        expected.put("conv2", new Lengths(7, List.of(5, 8), 15, false, true));
        expected.put("sum", new Lengths(13, List.of(), 15, true, true));
        expected.put("relu2", new Lengths(15, List.of(), 15, true, true));
        expected.put("pool", new Lengths(15, List.of(), 15, true, true));
        assertEquals(expected, F8NetFormats.choose(net, stats));

        // an accumulator whose calibrated max (2^20 + 1) would leave less than a factor 2 below 2^31 at its exact
        // fl 15 gets the finest fl that keeps it: 2^21 * 2^9 = 2^30
        stats.put("sum", TestStatistics.of(-(1 << 20) - 1, 4));
        assertEquals(9, F8NetFormats.accumulatorFl(net.layer("sum"), 15, stats));
        assertEquals(15, F8NetFormats.accumulatorFl(net.layer("sum"), 15, Map.of("sum", TestStatistics.of(-4, 4))));

        F8NetScheme scheme = new F8NetScheme(net);
        for (String unsigned : new String[] {"conv1", "relu1", "sum", "relu2", "pool", "ave"}) {
            assertTrue(scheme.unsignedOutput(net.layer(unsigned)), unsigned);
        }
        assertFalse(scheme.unsignedOutput(net.layer("conv2")));
        assertFalse(scheme.unsignedInput(net.layer("conv1")));
        assertTrue(scheme.unsignedInput(net.layer("conv2")));
        assertTrue(scheme.unsignedInput(net.layer("sum")));
    }

    /**
     * Four bins of width 0.3 over [0, 1.2], centres 0.15, 0.45, 0.75, 1.05. One value at 1.05, signed: fl 6 rounds
     * it to 67 / 64 (error 0.003125^2), fl 7 clips it at 127 / 128 (0.0578^2), fl 5 rounds it to 34 / 32 (0.0125^2):
     * 6. Unsigned, fl 7 rounds it to 134 / 128, the same error as fl 6, and the finer wins: 7. With 1000 values at
     * 0.15 next to it (signed): fl 7 rounds them to 19 / 128 (1000 x 0.0015625^2 = 0.00244) and clips the one at
     * 1.05 (0.00334), 0.00578 in all; fl 6 keeps the outlier (0.0000098) but rounds the 1000 to 10 / 64 (1000 x
     * 0.00625^2 = 0.0391); fl 8 clips the outlier at 0.496 (0.307): 7. Nothing but zeros: section F's finest, 7
     * signed, 8 unsigned; so does an output channel whose weights are all zero (its fl would otherwise be the
     * finest of all, 24, and its bias, held at the accumulator's fl in 32 bits, would clip).
     */
    @Test
    void rmsFractionalLengthTradesClippingForRounding() {
        assertEquals(6, F8NetFormats.rmsFractionalLength(AbsHistogram.of(1.2f, new long[] {0, 0, 0, 1}, 0), true));
        assertEquals(7, F8NetFormats.rmsFractionalLength(AbsHistogram.of(1.2f, new long[] {0, 0, 0, 1}, 0), false));
        assertEquals(7, F8NetFormats.rmsFractionalLength(AbsHistogram.of(1.2f, new long[] {1000, 0, 0, 1}, 0),
                true));
        assertEquals(7, F8NetFormats.rmsFractionalLength(AbsHistogram.of(1.2f, new long[] {5, 0, 0, 0}, 5), true));
        assertEquals(8, F8NetFormats.rmsFractionalLength(AbsHistogram.of(1.2f, new long[] {5, 0, 0, 0}, 5), false));
        assertEquals(7, F8NetFormats.rmsFractionalLength(new float[] {0, 0, 0}, true));
    }
}
