package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.data.Progress;
import xportdnn.export.BatchNormFolder;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * The device layers CHaiDNN's docs/SUPPORTED_LAYERS.md does not list (convolutions: square 1, 3, 5, 7, 11 kernels,
 * one stride, dilation 6; convolutions and poolings: fewer than 4096 input and output feature maps; a BatchNorm or
 * Scale on its own: fewer than 2048; Deconvolution: 16 bits) are warned of by name; the ones it lists, and every layer
 * of the shared nets, are not.
 */
class SupportedLayersCheckTest {

    @TempDir
    Path dir;

    /** Each warning up to its first ':' (what it names). */
    private static List<String> named(List<Notice> notices) {
        return notices.stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
    }

    private static String conv(String name, String param) {
        return "layer { name: \"" + name + "\" type: \"Convolution\" bottom: \"data\" top: \"" + name + "\""
                + " convolution_param { num_output: 2 " + param + " } }\n";
    }

    @Test
    void kernelsAndStridesTheEngineDoesNotListAreWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 3 dim: 16 dim: 16 } } }\n"
                + conv("rect", "kernel_h: 3 kernel_w: 5")
                + conv("two", "kernel_size: 2 stride: 2")
                + conv("row", "kernel_size: 1 kernel_size: 3")
                + conv("uneven", "kernel_size: 3 stride_h: 1 stride_w: 2")
                + conv("fine", "kernel_size: 3 stride: 2 pad: 1")
                + conv("eleven", "kernel_size: 11 stride: 4")
                + conv("dilated", "kernel_size: 3 dilation: 2")
                + conv("six", "kernel_size: 3 dilation: 6 pad: 6");
        List<String> warned = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))
                .stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
        assertEquals(List.of("layer 'rect' (Convolution, kernel 3x5, stride 1x1)",
                "layer 'two' (Convolution, kernel 2x2, stride 2x2)", "layer 'row' (Convolution, kernel 1x3, stride 1x1)",
                "layer 'uneven' (Convolution, kernel 3x3, stride 1x2)",
                "layer 'dilated' (Convolution, kernel 3x3, stride 1x1, dilation 2x2)"), warned);
    }

    @Test
    void aPermuteOfAnotherOrderThanSsdsIsWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 3 dim: 4 dim: 5 } } }\n"
                + "layer { name: \"ssd\" type: \"Permute\" bottom: \"data\" top: \"ssd\""
                + " permute_param { order: 0 order: 2 order: 3 order: 1 } }\n"
                + "layer { name: \"short\" type: \"Permute\" bottom: \"data\" top: \"short\""
                + " permute_param { order: 0 order: 2 } }\n"
                + "layer { name: \"hw\" type: \"Permute\" bottom: \"data\" top: \"hw\""
                + " permute_param { order: 0 order: 1 order: 3 order: 2 } }\n";
        List<String> warned = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))
                .stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
        // 'short' lists 0, 2: the axes left follow in their order, 0, 2, 1, 3
        assertEquals(List.of("layer 'short' (Permute, order [0, 2, 1, 3])", "layer 'hw' (Permute, order [0, 1, 3, 2])"),
                warned);
    }

    @Test
    void featureMapsFromTheTablesBoundOnAreWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } } }\n"
                + "layer { name: \"wide\" type: \"Convolution\" bottom: \"data\" top: \"wide\""
                + " convolution_param { num_output: 4096 kernel_size: 1 } }\n"
                + "layer { name: \"pool\" type: \"Pooling\" bottom: \"wide\" top: \"pool\""
                + " pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
                + "layer { name: \"narrow\" type: \"Convolution\" bottom: \"pool\" top: \"narrow\""
                + " convolution_param { num_output: 4095 kernel_size: 1 } }\n"
                + "layer { name: \"last\" type: \"Convolution\" bottom: \"narrow\" top: \"last\""
                + " convolution_param { num_output: 8 kernel_size: 1 } }\n";
        List<String> warned = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))
                .stream().map(n -> n.text().substring(0, n.text().indexOf(':'))).toList();
        // 4096 is not fewer than 4096; 4095 is
        assertEquals(List.of("layer 'wide' (Convolution, 3 input and 4096 output feature maps)",
                "layer 'pool' (Pooling, 4096 input and 4096 output feature maps)",
                "layer 'narrow' (Convolution, 4096 input and 4095 output feature maps)"), warned);
    }

    /**
     * A BatchNorm or Scale of 2048 maps on its own (reading the input, or a BatchNorm rather than a convolution) is
     * warned of, one line per kind; the same after a Convolution, fused into it, is the convolution's (fewer than
     * 4096: not warned); 2047 maps on its own are fewer than 2048. (Each pair on its own has its ReLU, which the
     * device's op applies anyway.)
     */
    @Test
    void aBatchNormOrScaleOnItsOwnWith2048MapsIsWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 2048 dim: 2 dim: 2 } } }\n"
                + "layer { name: \"bn_alone\" type: \"BatchNorm\" bottom: \"data\" top: \"bn_alone\" }\n"
                + "layer { name: \"sc_alone\" type: \"Scale\" bottom: \"bn_alone\" top: \"sc_alone\" }\n"
                + "layer { name: \"r_alone\" type: \"ReLU\" bottom: \"sc_alone\" top: \"sc_alone\" }\n"
                + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"conv\""
                + " convolution_param { num_output: 2048 kernel_size: 1 } }\n"
                + "layer { name: \"bn_fused\" type: \"BatchNorm\" bottom: \"conv\" top: \"conv\" }\n"
                + "layer { name: \"sc_fused\" type: \"Scale\" bottom: \"conv\" top: \"conv\" }\n"
                + "layer { name: \"narrow\" type: \"Convolution\" bottom: \"conv\" top: \"narrow\""
                + " convolution_param { num_output: 2047 kernel_size: 1 } }\n"
                + "layer { name: \"pool\" type: \"Pooling\" bottom: \"narrow\" top: \"pool\""
                + " pooling_param { pool: MAX kernel_size: 1 } }\n"
                + "layer { name: \"bn_2047\" type: \"BatchNorm\" bottom: \"pool\" top: \"bn_2047\" }\n"
                + "layer { name: \"sc_2047\" type: \"Scale\" bottom: \"bn_2047\" top: \"sc_2047\" }\n"
                + "layer { name: \"r_2047\" type: \"ReLU\" bottom: \"sc_2047\" top: \"sc_2047\" }\n";
        assertEquals(List.of("BatchNorm layer 'bn_alone' (2048 feature maps), not fused into a preceding Convolution",
                "Scale layer 'sc_alone' (2048 feature maps), not fused into a preceding Convolution"),
                named(SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(prototxt), null))));
    }

    private static final String INPUT = "layer { name: \"data\" type: \"Input\" top: \"data\""
            + " input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }\n";

    private static String layer(String name, String type, String bottom, String top) {
        return "layer { name: \"" + name + "\" type: \"" + type + "\" bottom: \"" + bottom + "\" top: \"" + top
                + "\"" + (type.equals("Convolution") ? " convolution_param { num_output: 2 kernel_size: 1 }" : "")
                + " }\n";
    }

    private static List<String> checked(String prototxt) {
        return named(SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(INPUT + prototxt), null)));
    }

    /**
     * CHaiDNN's runtime computes a BatchNorm only with the Scale that reads its output (fused into the convolution
     * before them, or as one OPCODE_BN op) and stops at one left alone: a convolution followed by a BatchNorm alone,
     * by a Scale alone, by a Scale then a BatchNorm, or by BatchNorm, Scale and a second Scale has that layer (or
     * both) named in one line; BatchNorm then Scale, in place or not, after a convolution or a pooling, does not.
     */
    @Test
    void aBatchNormOrScaleWithoutItsPartnerIsWarnedOfInOneLine() {
        String alone = "BatchNorm/Scale layer 'bn' (BatchNorm, no Scale reads its output) without its partner";
        assertEquals(List.of(alone), checked(layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "c")));
        assertEquals(List.of(alone), checked(layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "b")
                + layer("r", "ReLU", "b", "b")));
        assertEquals(List.of("BatchNorm/Scale layer 'sc' (Scale, reads no BatchNorm's output) without its partner"),
                checked(layer("c", "Convolution", "data", "c") + layer("sc", "Scale", "c", "s")));
        assertEquals(List.of("BatchNorm/Scale layers 'sc' (Scale, reads no BatchNorm's output), 'bn' (BatchNorm, no "
                + "Scale reads its output) without its partner"), checked(layer("c", "Convolution", "data", "c")
                + layer("sc", "Scale", "c", "c") + layer("bn", "BatchNorm", "c", "c")));
        assertEquals(List.of("BatchNorm/Scale layer 'sc2' (Scale, reads no BatchNorm's output) without its partner"),
                checked(layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "c")
                        + layer("sc", "Scale", "c", "c") + layer("sc2", "Scale", "c", "c")));
        assertEquals(List.of(), checked(layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "c")
                + layer("sc", "Scale", "c", "c") + layer("r", "ReLU", "c", "c")));
        assertEquals(List.of(), checked(layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "b")
                + layer("sc", "Scale", "b", "s")
                + "layer { name: \"p\" type: \"Pooling\" bottom: \"s\" top: \"p\" pooling_param { kernel_size: 2 } }\n"
                + layer("bn2", "BatchNorm", "p", "p") + layer("sc2", "Scale", "p", "p") + layer("r", "ReLU", "p", "p")));
    }

    /**
     * A BatchNorm/Scale pair the device runs as its own op (after a pooling, or after a convolution whose output
     * another layer reads too) ends in a ReLU on the device: without a plain ReLU reading its output next it is
     * warned of, in one line naming the pairs; with one (in place or not) it is not, nor is a pair fused into the
     * convolution before it, with or without a ReLU.
     */
    @Test
    void aPairRunAsItsOwnOpWithoutAReluIsWarnedOf() {
        String pool = "layer { name: \"p\" type: \"Pooling\" bottom: \"c\" top: \"p\" pooling_param { kernel_size: 2 } }\n";
        String convPool = layer("c", "Convolution", "data", "c") + pool;
        String warned = "BatchNorm/Scale pair 'bn' and 'sc' with no ReLU after";
        assertEquals(List.of(warned), checked(convPool + layer("bn", "BatchNorm", "p", "p")
                + layer("sc", "Scale", "p", "p")));
        assertEquals(List.of(warned), checked(convPool + layer("bn", "BatchNorm", "p", "b")
                + layer("sc", "Scale", "b", "s") + "layer { name: \"r\" type: \"ReLU\" bottom: \"s\" top: \"s\""
                + " relu_param { negative_slope: 0.1 } }\n"));
        assertEquals(List.of(), checked(convPool + layer("bn", "BatchNorm", "p", "b") + layer("sc", "Scale", "b", "s")
                + layer("r", "ReLU", "s", "t")));
        // the convolution's output read by the pair and by a pooling: not fused, so the pair is its own op (its
        // output read, or the runtime would not take the pair at all)
        assertEquals(List.of(warned), checked(layer("c", "Convolution", "data", "c") + pool
                + layer("bn", "BatchNorm", "c", "b") + layer("sc", "Scale", "b", "s") + pooling("q", "s")));
        assertEquals(List.of(), checked(layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "c")
                + layer("sc", "Scale", "c", "c")));
    }

    private static String pooling(String name, String bottom) {
        return "layer { name: \"" + name + "\" type: \"Pooling\" bottom: \"" + bottom + "\" top: \"" + name
                + "\" pooling_param { kernel_size: 1 } }\n";
    }

    /**
     * CHaiDNN's runtime (xtract_opt.cpp, opt_conv_bn_scale and opt_batchNorm) takes a BatchNorm/Scale pair only when
     * both work in place or neither does, and then only for the layers reading the Scale's output: one in place and
     * one not, or neither in place with nothing reading the Scale's output, is named with why, in one line, after a
     * convolution or a pooling alike, and not also warned of as an op without a ReLU (it never becomes one). A pair
     * whose Scale is in place after a BatchNorm that is not, fused into the convolution before it since nothing reads
     * its output, is not warned of.
     */
    @Test
    void aPairTheRuntimeTakesNeitherWayIsWarnedOf() {
        String conv = layer("c", "Convolution", "data", "c");
        assertEquals(List.of("BatchNorm/Scale pair 'bn' and 'sc' (the BatchNorm in place, the Scale not)"),
                checked(conv + layer("bn", "BatchNorm", "c", "c") + layer("sc", "Scale", "c", "s")
                        + layer("r", "ReLU", "s", "s")));
        assertEquals(List.of("BatchNorm/Scale pair 'bn' and 'sc' (the Scale in place, the BatchNorm not)"),
                checked(conv + layer("bn", "BatchNorm", "c", "b") + layer("sc", "Scale", "b", "b")
                        + layer("r", "ReLU", "b", "b")));
        assertEquals(List.of(), checked(conv + layer("bn", "BatchNorm", "c", "b") + layer("sc", "Scale", "b", "b")));
        assertEquals(List.of("BatchNorm/Scale pairs 'bn' and 'sc' (no layer reads the Scale's output), 'bn2' and 'sc2' "
                + "(no layer reads the Scale's output)"), checked(conv + layer("bn", "BatchNorm", "c", "b")
                + layer("sc", "Scale", "b", "s") + pooling("p", "c") + layer("bn2", "BatchNorm", "p", "b2")
                + layer("sc2", "Scale", "b2", "s2")));
        assertEquals(List.of(), checked(conv + layer("bn", "BatchNorm", "c", "b") + layer("sc", "Scale", "b", "s")
                + pooling("p", "s")));
    }

    /**
     * opt_conv_bn_scale fuses a pair (neither in place) into the convolution before it once per layer reading the
     * Scale's output up to the first ReLU among them: two poolings, or a pooling then a ReLU, make two fusions and a
     * warning naming them; a ReLU first (in place or not), or one reader, makes one and none.
     */
    @Test
    void aPairFusedOncePerReaderIsWarnedOf() {
        String chain = layer("c", "Convolution", "data", "c") + layer("bn", "BatchNorm", "c", "b")
                + layer("sc", "Scale", "b", "s");
        assertEquals(List.of("BatchNorm/Scale pair 'bn' and 'sc' after Convolution 'c' (2 fusions, for 'p', 'q')"),
                checked(chain + pooling("p", "s") + pooling("q", "s")));
        assertEquals(List.of("BatchNorm/Scale pair 'bn' and 'sc' after Convolution 'c' (2 fusions, for 'p', 'r')"),
                checked(chain + pooling("p", "s") + layer("r", "ReLU", "s", "t") + pooling("q", "s")));
        assertEquals(List.of(), checked(chain + layer("r", "ReLU", "s", "s") + pooling("p", "s")));
        assertEquals(List.of(), checked(chain + layer("r", "ReLU", "s", "t") + pooling("p", "s")));
        assertEquals(List.of(), checked(chain + pooling("p", "s")));
    }

    /**
     * opt_batchNorm (271b3cc) makes a pair neither in place that no convolution takes (here after a pooling) one
     * OPCODE_BN op per layer reading the Scale's output, ReLU or not, erasing the pair again each time: a ReLU then a
     * pooling, or an in-place ReLU then a pooling reading its output, make two ops and a warning naming them, with no
     * --fuse_bn hint (there is no convolution to fold into); one reader makes one and none. A pair fused into a
     * convolution and another run as its own op, each read twice, share one line.
     */
    @Test
    void aPairMadeOneOpPerReaderIsWarnedOf() {
        String pair = layer("c", "Convolution", "data", "c") + pooling("p", "c") + layer("bn", "BatchNorm", "p", "b")
                + layer("sc", "Scale", "b", "s");
        assertEquals(List.of("BatchNorm/Scale pair 'bn' and 'sc' (2 OPCODE_BN ops, for 'r', 'q')"),
                checked(pair + layer("r", "ReLU", "s", "t") + pooling("q", "s")));
        List<Notice> notices = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(INPUT + pair
                + layer("r", "ReLU", "s", "s") + pooling("q", "s")), null));
        assertEquals(List.of("BatchNorm/Scale pair 'bn' and 'sc' (2 OPCODE_BN ops, for 'r', 'q')"), named(notices));
        assertFalse(notices.get(0).text().contains("--fuse_bn"), notices.get(0).text());
        assertEquals(List.of(), checked(pair + layer("r", "ReLU", "s", "t")));
        assertEquals(List.of("BatchNorm/Scale pairs 'bn2' and 'sc2' after Convolution 'c2' (2 fusions, for 'p2', "
                + "'q2'), 'bn' and 'sc' (2 OPCODE_BN ops, for 'r', 'q')"), checked(layer("c2", "Convolution", "data",
                "c2") + layer("bn2", "BatchNorm", "c2", "b2") + layer("sc2", "Scale", "b2", "s2") + pooling("p2", "s2")
                + pooling("q2", "s2") + pair + layer("r", "ReLU", "s", "t") + pooling("q", "s")));
    }

    /**
     * The warning points to --fuse_bn where it helps, and it does: a convolution (weight 2, bias 1) followed by a
     * BatchNorm alone (mean 3, variance 4, eps 1e-5) folds into one convolution of weight 2 / sqrt(4 + 1e-5) and bias
     * (1 - 3) / sqrt(4 + 1e-5), and the folded net is not warned of. A lone BatchNorm after a pooling gets no hint.
     */
    @Test
    void foldingALoneBatchNormAfterAConvolutionLeavesNothingToWarnOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }\n"
                + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\""
                + " convolution_param { num_output: 1 kernel_size: 1 } }\n"
                + layer("bn", "BatchNorm", "c", "c");
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(TestWeights.layer("c", TestWeights.blob(new int[] {1, 1, 1, 1}, 2),
                        TestWeights.blob(new int[] {1}, 1)))
                .addLayer(TestWeights.layer("bn", TestWeights.blob(new int[] {1}, 3), TestWeights.blob(new int[] {1}, 4),
                        TestWeights.blob(new int[] {1}, 1)))
                .build();
        Net net = NetLoader.build(TestWeights.definition(prototxt), weights);
        List<Notice> before = SupportedLayersCheck.of(net);
        assertEquals(1, before.size());
        assertTrue(before.get(0).text().contains("--fuse_bn") && before.get(0).text().contains("[EO005]"),
                before.get(0).text());
        BatchNormFolder.Result folded = BatchNormFolder.fold(net);
        Net after = NetLoader.build(folded.definition(), folded.weights());
        assertEquals(List.of("data", "c"), after.layers().stream().map(Layer::name).toList());
        double std = Math.sqrt(4 + 1e-5);
        assertEquals(2 / std, after.layers().get(1).weights().get(0).data()[0], 1e-6);
        assertEquals((1 - 3) / std, after.layers().get(1).weights().get(1).data()[0], 1e-6);
        assertEquals(List.of(), SupportedLayersCheck.of(after));

        List<Notice> pooled = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(INPUT
                + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" pooling_param { kernel_size: 2 } }\n"
                + layer("bn", "BatchNorm", "p", "p")), null));
        assertEquals(1, pooled.size());
        assertFalse(pooled.get(0).text().contains("--fuse_bn"), pooled.get(0).text());
    }

    private static String deconv(String name, int in, String param) {
        return "layer { name: \"" + name + "_in\" type: \"Convolution\" bottom: \"data\" top: \"" + name
                + "_in\" convolution_param { num_output: " + in + " kernel_size: 1 } }\n"
                + "layer { name: \"" + name + "\" type: \"Deconvolution\" bottom: \"" + name + "_in\" top: \""
                + name + "\" convolution_param { " + param + " } }\n";
    }

    /**
     * CHaiDNN's parser stops at a Deconvolution unless its pad is 0, its kernel square and 2*stride or 2*stride-1
     * with one stride for both axes, and its input maps, output maps and group equal (EP058-EP060, EP154, EP157,
     * EP160): each side of each bound.
     */
    @Test
    void aDeconvolutionTheParserRefusesIsWarnedOf() {
        String prototxt = deconv("k4s2", 2, "num_output: 2 group: 2 kernel_size: 4 stride: 2")
                + deconv("k3s2", 2, "num_output: 2 group: 2 kernel_size: 3 stride: 2")
                + deconv("k5s2", 2, "num_output: 2 group: 2 kernel_size: 5 stride: 2")
                + deconv("k2s2", 2, "num_output: 2 group: 2 kernel_size: 2 stride: 2")
                + deconv("k1s1", 2, "num_output: 2 group: 2 kernel_size: 1")
                + deconv("k2s1", 2, "num_output: 2 group: 2 kernel_size: 2")
                + deconv("k3s1", 2, "num_output: 2 group: 2 kernel_size: 3")
                + deconv("pad1", 2, "num_output: 2 group: 2 kernel_size: 4 stride: 2 pad: 1")
                + deconv("out4", 2, "num_output: 4 group: 2 kernel_size: 4 stride: 2")
                + deconv("group1", 2, "num_output: 2 kernel_size: 4 stride: 2")
                + deconv("in4", 4, "num_output: 2 group: 2 kernel_size: 4 stride: 2")
                + deconv("rect", 2, "num_output: 2 group: 2 kernel_h: 4 kernel_w: 3 stride: 2")
                + deconv("strides", 2, "num_output: 2 group: 2 kernel_size: 4 stride_h: 2 stride_w: 1")
                + deconv("pads", 2, "num_output: 2 group: 2 kernel_size: 4 stride: 2 pad_h: 0 pad_w: 1");
        List<String> warned = checked(prototxt);
        assertEquals(List.of(
                "layer 'k5s2' (Deconvolution, kernel 5x5, stride 2x2, pad 0x0, 2 input and 2 output feature maps, group 2)",
                "layer 'k2s2' (Deconvolution, kernel 2x2, stride 2x2, pad 0x0, 2 input and 2 output feature maps, group 2)",
                "layer 'k3s1' (Deconvolution, kernel 3x3, stride 1x1, pad 0x0, 2 input and 2 output feature maps, group 2)",
                "layer 'pad1' (Deconvolution, kernel 4x4, stride 2x2, pad 1x1, 2 input and 2 output feature maps, group 2)",
                "layer 'out4' (Deconvolution, kernel 4x4, stride 2x2, pad 0x0, 2 input and 4 output feature maps, group 2)",
                "layer 'group1' (Deconvolution, kernel 4x4, stride 2x2, pad 0x0, 2 input and 2 output feature maps, group 1)",
                "layer 'in4' (Deconvolution, kernel 4x4, stride 2x2, pad 0x0, 4 input and 2 output feature maps, group 2)",
                "layer 'rect' (Deconvolution, kernel 4x3, stride 2x2, pad 0x0, 2 input and 2 output feature maps, group 2)",
                "layer 'strides' (Deconvolution, kernel 4x4, stride 2x1, pad 0x0, 2 input and 2 output feature maps, group 2)",
                "layer 'pads' (Deconvolution, kernel 4x4, stride 2x2, pad 0x1, 2 input and 2 output feature maps, group 2)"),
                warned);
        String text = SupportedLayersCheck.of(NetLoader.build(TestWeights.definition(INPUT
                + deconv("k5s2", 2, "num_output: 2 group: 2 kernel_size: 5 stride: 2")), null)).get(0).text();
        assertTrue(text.contains("parser stops at it") && text.contains(SupportedLayersCheck.DEVICE_MAY_NOT_RUN), text);
    }

    /**
     * A Deconvolution written with 8 or 6 bits anywhere is warned of, all in one line; one of 16 bits, or without a
     * block (DynamicFixed writes none for it), is not.
     */
    @Test
    void aDeconvolutionOfOtherWidthsThan16IsWarnedOf() {
        String prototxt = "layer { name: \"data\" type: \"Input\" top: \"data\""
                + " input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }\n"
                + deconvolution("up8", "bw_layer_in: 8 bw_params: 8 bw_layer_out: 8")
                + deconvolution("up16", "bw_layer_in: 16 bw_params: 16 bw_layer_out: 16")
                + deconvolution("weights6", "bw_layer_in: 16 bw_params: 6 bw_layer_out: 16")
                + "layer { name: \"bare\" type: \"Deconvolution\" bottom: \"data\" top: \"bare\""
                + " convolution_param { num_output: 2 group: 2 kernel_size: 4 stride: 2 } }\n";
        assertEquals(List.of("Deconvolution layers 'up8' (8,8,8), 'weights6' (16,6,16) written with bitwidths "
                + "(in,params,out) other than 16"),
                named(SupportedLayersCheck.deconvolutionWidths(TestWeights.definition(prototxt))));
    }

    private static String deconvolution(String name, String widths) {
        return "layer { name: \"" + name + "\" type: \"Deconvolution\" bottom: \"data\" top: \"" + name + "\""
                + " convolution_param { num_output: 2 group: 2 kernel_size: 4 stride: 2 }"
                + " precision_param { " + widths + " quant_type: \"Xilinx\" } }\n";
    }

    /** The Xilinx export of a net with a Deconvolution at 8 bits warns of it; the DynamicFixed one writes no width. */
    @Test
    void theXilinxExportWarnsOfItsEightBitDeconvolution() {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "deconvolution",
                "name: \"x\"\n" + UnusualNetsChaidnnTest.NETS.get("deconvolution"), 7);
        for (QuantType type : QuantType.values()) {
            ExportPipeline.Outcome outcome = ExportPipeline.run(new ExportSettings(type, net.deploy(), net.weights(),
                    dir.resolve(type + ".prototxt"), UnseenNets.EIGHT, false, null, null, UnseenNets.CALIBRATION, null,
                    false, false, null), Progress.NONE);
            List<String> deconvolutions = named(outcome.notices()).stream()
                    .filter(w -> w.startsWith("Deconvolution")).toList();
            assertEquals(type == QuantType.Xilinx ? List.of("Deconvolution layer 'up' (8,8,8) written with bitwidths "
                    + "(in,params,out) other than 16") : List.of(), deconvolutions, type.name());
        }
    }

    /**
     * No shared net is warned of: each fits the table (none has a BatchNorm or Scale of 2048 maps, nor a
     * Deconvolution), nor are the original tool's own Xilinx exports, 6 and 8 bits throughout (no Deconvolution).
     */
    @Test
    void theSharedNetsAreNotWarnedOf() throws IOException {
        for (SharedData.Model model : SharedData.Model.values()) {
            Net net = NetLoader.load(model.prototxt(), null);
            assertEquals(List.of(), SupportedLayersCheck.of(net), model.name());
            NetParameter layers = NetParameter.newBuilder().addAllLayer(net.layers().stream().map(Layer::param)
                    .toList()).build();
            assertEquals(List.of(), SupportedLayersCheck.deconvolutionWidths(layers), model.name());
        }
        Path exports = SharedData.require("spec/real-xportdnn-output");
        try (Stream<Path> files = Files.list(exports)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".prototxt")).toList()) {
                NetParameter written = TestWeights.definition(Files.readString(file));
                assertEquals(List.of(), SupportedLayersCheck.deconvolutionWidths(written), file.toString());
            }
        }
    }
}
