package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

/**
 * Nets unlike the shipped ones, as users deploy them (issue 16): convolutions without a bias followed by BatchNorm
 * and Scale, whose fused bias is far larger than the layer's output range; a leaky ReLU, which the device does
 * not run, after a convolution; depthwise separable convolutions. 8 bits keep every device output close.
 */
class UnseenNetsTest {

    /** ResNet/Darknet style: bias-free convolutions, BatchNorm + Scale, a ReLU and a leaky ReLU. */
    static final String BN_NET = """
            name: "bnnet"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            """ + convBn("conv1", "data", "num_output: 8 kernel_size: 3 pad: 1", "bn1", "scale1") + """
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            """ + convBn("conv2", "conv1", "num_output: 8 kernel_size: 3 pad: 1 stride: 2", "bn2", "scale2") + """
            layer { name: "leaky2" type: "ReLU" bottom: "conv2" top: "conv2" relu_param { negative_slope: 0.1 } }
            layer { name: "conv3" type: "Convolution" bottom: "conv2" top: "conv3"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            """ + UnseenNets.CLASSIFIER_HEAD.formatted("conv3");

    /** Darknet style: BatchNorm + Scale then a leaky ReLU, then a PReLU; neither runs on the device. */
    static final String LEAKY_NET = """
            name: "leakynet"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            """ + convBn("conv1", "data", "num_output: 8 kernel_size: 3 pad: 1", "bn1", "scale1") + """
            layer { name: "leaky1" type: "ReLU" bottom: "conv1" top: "conv1" relu_param { negative_slope: 0.1 } }
            """ + convBn("conv2", "conv1", "num_output: 8 kernel_size: 3 pad: 1 stride: 2", "bn2", "scale2") + """
            layer { name: "prelu2" type: "PReLU" bottom: "conv2" top: "conv2" }
            layer { name: "conv3" type: "Convolution" bottom: "conv2" top: "conv3"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            """ + UnseenNets.CLASSIFIER_HEAD.formatted("conv3");

    /** MobileNet style: a depthwise 3x3 convolution (one input channel per group) and a 1x1 pointwise one. */
    static final String DEPTHWISE_NET = """
            name: "dwnet"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            """ + convBn("conv1", "data", "num_output: 8 kernel_size: 3 pad: 1", "bn1", "scale1") + """
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            """ + convBn("dw2", "conv1", "num_output: 8 group: 8 kernel_size: 3 pad: 1 stride: 2", "bn2",
                    "scale2") + """
            layer { name: "relu2" type: "ReLU" bottom: "dw2" top: "dw2" }
            """ + convBn("pw2", "dw2", "num_output: 16 kernel_size: 1", "bn3", "scale3") + """
            layer { name: "relu3" type: "ReLU" bottom: "pw2" top: "pw2" }
            """ + UnseenNets.CLASSIFIER_HEAD.formatted("pw2");

    /** A convolution without bias and its BatchNorm and Scale in place, as ResNet and MobileNet write them. */
    private static String convBn(String conv, String bottom, String geometry, String bn, String scale) {
        return ("layer { name: \"%1$s\" type: \"Convolution\" bottom: \"%2$s\" top: \"%1$s\""
                + " convolution_param { %3$s bias_term: false } }\n"
                + "layer { name: \"%4$s\" type: \"BatchNorm\" bottom: \"%1$s\" top: \"%1$s\" }\n"
                + "layer { name: \"%5$s\" type: \"Scale\" bottom: \"%1$s\" top: \"%1$s\""
                + " scale_param { bias_term: true } }\n").formatted(conv, bottom, geometry, bn, scale);
    }

    @TempDir
    Path dir;

    /**
     * The fused biases reach several times the layers' output ranges; the runtime clips a bias to +-th_layer_out,
     * so the thresholds cover them. Before: -2.4 dB (Xilinx) and 14 dB (DynamicFixed) at relu1, worse after.
     */
    @Test
    void largeFusedBiasesAreNotClipped() {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "bnnet", BN_NET, 7);
        for (QuantType type : QuantType.values()) {
            UnseenNets.Run run = UnseenNets.run(net, dir, type, false, false);
            assertFloor(run, 22, type.toString());
            assertTrue(run.export().notices().stream().noneMatch(n -> n.text().contains("clips the bias")),
                    run.export().notices().toString());
        }
    }

    /**
     * A leaky ReLU and a PReLU do not run on the device, so the convolution before each writes its own outputs,
     * negative ones included, in a threshold of its own. With the bias rule alone scale2 had 16 dB (Xilinx) and 21 dB
     * (DynamicFixed); the old code gave 6.5 dB at scale1 and 8 dB at scale2 (Xilinx).
     */
    @Test
    void anUnfusedActivationDoesNotSetItsProducersThreshold() {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "leakynet", LEAKY_NET, 11, 0, -1);
        for (QuantType type : QuantType.values()) {
            UnseenNets.Run run = UnseenNets.run(net, dir, type, false, false);
            assertFloor(run, 18, type.toString());
            assertTrue(run.sqnrDb().get("scale2") > 24, type + " " + run.sqnrDb());
            // compared apart: the simulator does not fuse them into the convolution as it fuses a plain ReLU
            assertTrue(run.sqnrDb().keySet().containsAll(List.of("scale1", "leaky1", "scale2", "prelu2")),
                    run.sqnrDb().toString());
        }
    }

    /** Xilinx: the conv outputs, then pooling and class scores; DynamicFixed: the conv outputs (see below). */
    @Test
    void depthwiseSeparableNetsExportAndSimulateInBothModes() {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "dwnet", DEPTHWISE_NET, 5);
        for (QuantType type : QuantType.values()) {
            UnseenNets.Run plain = UnseenNets.run(net, dir, type, false, false);
            UnseenNets.Run folded = UnseenNets.run(net, dir, type, true, false);
            UnseenNets.Run tuned = UnseenNets.run(net, dir, type, false, true);
            for (UnseenNets.Run run : List.of(plain, folded, tuned)) {
                for (String layer : List.of("relu1", "relu2", "relu3")) {
                    assertTrue(run.sqnrDb().get(layer) > 18, type + " " + run.sqnrDb()); // before: -9 to -13 dB
                }
            }
            for (String layer : List.of("relu1", "relu2", "relu3")) {
                assertEquals(plain.sqnrDb().get(layer), folded.sqnrDb().get(layer), 0.01, type + " " + layer);
                assertTrue(tuned.sqnrDb().get(layer) > folded.sqnrDb().get(layer) - 0.5, type + " " + layer
                        + " tuned " + tuned.sqnrDb() + " folded " + folded.sqnrDb());
            }
            if (type == QuantType.Xilinx) { // DynamicFixed's average pooling wraps where unseen images exceed it
                assertFloor(plain, 15, type.toString());
            }
        }
    }

    /** The float engine's depthwise convolution is the plain sum over each channel's own 3x3 window. */
    @Test
    void depthwiseConvolutionComputesPerChannel() {
        UnseenNets.NetFiles files = UnseenNets.write(dir, "dwnet", DEPTHWISE_NET, 5);
        Net net = NetLoader.load(files.deploy(), files.weights());
        float[] input = new float[3 * 32 * 32];
        Random r = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = r.nextFloat();
        }
        Map<String, float[]> seen = new HashMap<>();
        new FloatEngine(net).forward(input, 1, (l, tops) -> seen.put(l.name(), Tensors.floats(tops.get(0))));
        float[] x = seen.get("relu1"); // 8 x 32 x 32
        float[] w = net.layer("dw2").weights().get(0).data(); // 8 x 1 x 3 x 3
        float[] y = seen.get("dw2"); // 8 x 16 x 16, stride 2, pad 1
        assertEquals(8 * 16 * 16, y.length);
        for (int c = 0; c < 8; c++) {
            for (int oy = 0; oy < 16; oy++) {
                for (int ox = 0; ox < 16; ox++) {
                    double sum = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy * 2 - 1 + ky;
                            int ix = ox * 2 - 1 + kx;
                            if (iy >= 0 && iy < 32 && ix >= 0 && ix < 32) {
                                sum += (double) w[c * 9 + ky * 3 + kx] * x[(c * 32 + iy) * 32 + ix];
                            }
                        }
                    }
                    assertEquals(sum, y[(c * 16 + oy) * 16 + ox], 1e-4 * (1 + Math.abs(sum)),
                            "channel " + c + " at " + oy + "," + ox);
                }
            }
        }
    }

    private static void assertFloor(UnseenNets.Run run, double db, String what) {
        run.sqnrDb().forEach((layer, sqnr) -> assertTrue(sqnr > db, what + " " + layer + ": " + run.sqnrDb()));
    }
}
