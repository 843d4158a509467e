package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.AciqScheme;

/**
 * The simulator under ACIQ against hand-written nested loops on one 3x3 convolution with a ReLU: each output channel
 * quantized at the width the budget gives it, bias-corrected, convolved and requantized.
 */
class AciqSimulationTest {

    private static final int BITS = 4;
    private static final int IN = 2;
    private static final int OUT = 4;
    private static final int H = 5;
    private static final int W = 5;
    private static final float TH_IN = 1.5f;
    private static final float TH_OUT = 6f;

    /**
     * Channel ranges 1/8, 1, 1, 8: log2(alpha^(2/3)) = -2, 0, 0, 2 around a mean of 0, so at a budget of 4 bits the
     * channels get 2, 4, 4 and 6 bits.
     */
    private static final float[] RANGES = {0.125f, 1, 1, 8};
    private static final int[] WIDTHS = {2, 4, 4, 6};

    private static final String PROTOTXT = """
            name: "aciq"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 5 dim: 5 } }
                    precision_param { bw_layer_out: 4 th_layer_out: 1.5 } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 }
                    precision_param { bw_layer_in: 4 bw_layer_out: 4 bw_params: 4 th_layer_in: 1.5 th_layer_out: 6
                                      th_params: 0.125 th_params: 1 th_params: 1 th_params: 8 quant_type: "Xilinx" } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            """;

    @Test
    void equalsNestedLoops() {
        Random r = new Random(11);
        int k = IN * 9;
        float[] weights = new float[OUT * k];
        float[] bias = new float[OUT];
        for (int o = 0; o < OUT; o++) {
            for (int i = 0; i < k; i++) {
                weights[o * k + i] = (float) (RANGES[o] * (r.nextDouble() * 1.6 - 0.7)); // skewed: a mean to correct
            }
            weights[o * k + r.nextInt(k)] = RANGES[o]; // the channel's largest magnitude
            bias[o] = (float) r.nextGaussian();
        }
        float[] input = new float[IN * H * W];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (r.nextGaussian() * 0.8);
        }
        NetParameter blobs = NetParameter.newBuilder()
                .addLayer(layer("conv", blob(new int[] {OUT, IN, 3, 3}, weights), blob(new int[] {OUT}, bias))).build();
        Net net = FixedPointNetTest.net(PROTOTXT, blobs);
        FixedPointNet sim = new FixedPointNet(net, new AciqScheme());
        Map<String, INDArray> out = sim.forward(input, 1, null);
        float[] actual = Tensors.floats(out.get("conv"));

        float sfIn = ReferenceArithmetic.xilinxScale(TH_IN, BITS);
        float sfOut = ReferenceArithmetic.xilinxScale(TH_OUT, BITS);
        int[] x = new int[input.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = ReferenceArithmetic.xilinxCode(input[i], TH_IN, BITS);
        }
        int exact = 0;
        for (int o = 0; o < OUT; o++) {
            // the channel's codes at its width, and the bias correction of their values, plainly
            float sfW = ReferenceArithmetic.xilinxScale(RANGES[o], WIDTHS[o]);
            int[] q = new int[k];
            double meanW = 0;
            double meanQ = 0;
            for (int i = 0; i < k; i++) {
                q[i] = ReferenceArithmetic.xilinxCode(weights[o * k + i], RANGES[o], WIDTHS[o]);
                assertTrue(Math.abs(q[i]) <= (1 << (WIDTHS[o] - 1)) - 1);
                meanW += weights[o * k + i] / (double) k;
                meanQ += q[i] * (double) sfW / k;
            }
            double devW = 0;
            double devQ = 0;
            for (int i = 0; i < k; i++) {
                devW += Math.pow(weights[o * k + i] - meanW, 2);
                devQ += Math.pow(q[i] * (double) sfW - meanQ, 2);
            }
            double xi = Math.sqrt(devW / devQ);
            double mu = meanW - meanQ;
            // the device's form: codes 128 q + m, step xi sfW / 128, multiplier at 29 fractional bits, 8.8 bias
            long m = ReferenceArithmetic.round((float) (mu / sfW * 128));
            long multiplier = ReferenceArithmetic.round((float) (xi * sfW / 128) * sfIn / sfOut * (float) (1 << 29));
            long bias88 = ReferenceArithmetic.round(Math.max(-TH_OUT, Math.min(TH_OUT, bias[o])) / sfOut) * 256;
            for (int y = 0; y < H; y++) {
                for (int xx = 0; xx < W; xx++) {
                    long acc = 0;
                    double real = bias[o];
                    for (int c = 0; c < IN; c++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = y + ky - 1;
                                int ix = xx + kx - 1;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                                    continue;
                                }
                                int wi = c * 9 + ky * 3 + kx;
                                int xi0 = x[(c * H + iy) * W + ix];
                                acc += (128L * q[wi] + m) * xi0;
                                real += xi * (q[wi] * (double) sfW + mu) * xi0 * sfIn;
                            }
                        }
                    }
                    long code = ReferenceArithmetic.clamp(
                            ReferenceArithmetic.shiftRound(acc * multiplier + (bias88 << 21), 29), BITS);
                    code = Math.max(code, 0);
                    float got = actual[(o * H + y) * W + xx];
                    assertEquals(code * sfOut, got, 1e-6, "channel " + o + " at " + y + "," + xx);
                    // and the paper's float arithmetic (corrected weights times dequantized inputs plus the float
                    // bias, rounded once) within one code: the device rounds the bias to an output code
                    long paper = Math.max(0, ReferenceArithmetic.clamp(Math.round(real / sfOut), BITS));
                    assertTrue(Math.abs(paper - code) <= 1, "channel " + o + ": " + paper + " vs " + code);
                    exact += paper == code ? 1 : 0;
                }
            }
        }
        assertTrue(exact >= OUT * H * W * 3 / 4, exact + " of " + OUT * H * W + " outputs as the float arithmetic");
    }
}
