// Small nets for the float engine's cross-check against OpenCV's dnn (tools/opencv_crosscheck.py compares them):
// layer configurations the shared models do not have (grouped, dilated, asymmetric convolutions, deconvolutions,
// pooling edge cases, LRN, BatchNorm + Scale, Eltwise, Concat/Slice/Reshape axes, activations, Crop, Permute,
// Normalize, PriorBox, and every layer again on a convolution's output, which the engine keeps channels-last).
// Per net it writes, into OUT: NAME.prototxt; NAME.caffemodel (none for a net without weights), seeded uniform
// random weights in [-1, 1) with BatchNorm's variance positive and its moving-average factor 2.5;
// NAME.opencv.caffemodel, the same with 0-D blobs stored as [1], which OpenCV needs; NAME.input.npy, a seeded
// input of batch 2 (a further input blob B in NAME.input.B.npy); and NAME.ours/<layer>.npy, every layer's output
// as our engine computes it (engine.LayerDump). A net the engine refuses gets NAME.refused, its one-line message.
//
// Run from the repository root after `mvn -B -q -o -DskipTests package` (the weights are the tests' own,
// xportdnn.model.TestWeights, hence target/test-classes):
//   java -cp "$(cat target/classpath.txt):target/classes:target/test-classes" tools/OpenCvCrossCheck.java \
//       /tmp/xcheck [NAME ...]
// (or simply `/usr/bin/python3 tools/opencv_crosscheck.py /tmp/xcheck`, which runs this first).
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerDump;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;
import xportdnn.model.TestWeights;
import xportdnn.model.PrototxtReader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

public class OpenCvCrossCheck {

    private static String input(int c, int h, int w) {
        return "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 2 dim: " + c
                + " dim: " + h + " dim: " + w + " } } }\n";
    }

    /** Every branch reads "data" (or an earlier top), so each layer is checked on its own. */
    static final Map<String, String> NETS = new LinkedHashMap<>();

    static {
        NETS.put("conv", input(6, 11, 13) + """
                layer { name: "group2" type: "Convolution" bottom: "data" top: "group2"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 group: 2 } }
                layer { name: "group3_dil" type: "Convolution" bottom: "data" top: "group3_dil"
                        convolution_param { num_output: 6 kernel_size: 3 pad: 1 dilation: 2 group: 3 } }
                layer { name: "dw" type: "Convolution" bottom: "data" top: "dw"
                        convolution_param { num_output: 6 kernel_size: 3 stride: 2 pad: 1 group: 6 } }
                layer { name: "dw_mult2" type: "Convolution" bottom: "data" top: "dw_mult2"
                        convolution_param { num_output: 12 kernel_size: 3 pad: 1 group: 6 } }
                layer { name: "dilated" type: "Convolution" bottom: "data" top: "dilated"
                        convolution_param { num_output: 5 kernel_size: 3 pad: 2 dilation: 2 } }
                layer { name: "dilated3_nopad" type: "Convolution" bottom: "data" top: "dilated3_nopad"
                        convolution_param { num_output: 3 kernel_size: 3 dilation: 3 } }
                layer { name: "stride_gt_kernel" type: "Convolution" bottom: "data" top: "stride_gt_kernel"
                        convolution_param { num_output: 4 kernel_size: 2 stride: 3 } }
                layer { name: "asym" type: "Convolution" bottom: "data" top: "asym"
                        convolution_param { num_output: 4 kernel_h: 3 kernel_w: 1 pad_h: 1 pad_w: 0 stride_h: 2
                            stride_w: 1
                                            bias_term: false } }
                layer { name: "asym2" type: "Convolution" bottom: "data" top: "asym2"
                        convolution_param { num_output: 3 kernel_h: 1 kernel_w: 5 pad_h: 0 pad_w: 2 stride_h: 1
                            stride_w: 3 } }
                layer { name: "pad_1x1" type: "Convolution" bottom: "data" top: "pad_1x1"
                        convolution_param { num_output: 4 kernel_size: 1 pad: 1 } }
                layer { name: "pad_gt_half" type: "Convolution" bottom: "data" top: "pad_gt_half"
                        convolution_param { num_output: 2 kernel_size: 3 pad: 3 stride: 2 } }
                layer { name: "repeated" type: "Convolution" bottom: "data" top: "repeated"
                        convolution_param { num_output: 2 kernel_size: 3 kernel_size: 2 stride: 1 stride: 2 pad: 1
                            pad: 0 } }
                layer { name: "nobias_group" type: "Convolution" bottom: "data" top: "nobias_group"
                        convolution_param { num_output: 4 kernel_size: 3 group: 2 bias_term: false } }
                """);
        NETS.put("deconv", input(4, 5, 6) + """
                layer { name: "up2" type: "Deconvolution" bottom: "data" top: "up2"
                        convolution_param { num_output: 3 kernel_size: 4 stride: 2 pad: 1 } }
                layer { name: "up2_group" type: "Deconvolution" bottom: "data" top: "up2_group"
                        convolution_param { num_output: 6 kernel_size: 3 stride: 2 group: 2 } }
                layer { name: "dw_up" type: "Deconvolution" bottom: "data" top: "dw_up"
                        convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 group: 4 bias_term: false } }
                layer { name: "same" type: "Deconvolution" bottom: "data" top: "same"
                        convolution_param { num_output: 2 kernel_size: 3 pad: 1 bias_term: false } }
                layer { name: "asym" type: "Deconvolution" bottom: "data" top: "asym"
                        convolution_param { num_output: 2 kernel_h: 3 kernel_w: 2 stride_h: 1 stride_w: 2 pad_h: 1
                            pad_w: 0 } }
                layer { name: "stride_gt_kernel" type: "Deconvolution" bottom: "data" top: "stride_gt_kernel"
                        convolution_param { num_output: 2 kernel_size: 2 stride: 3 } }
                """);
        NETS.put("deconv_dilated", input(3, 5, 6) + """
                layer { name: "dilated" type: "Deconvolution" bottom: "data" top: "dilated"
                        convolution_param { num_output: 2 kernel_size: 3 stride: 2 dilation: 2 pad: 1 } }
                """);
        NETS.put("pool", input(3, 13, 11) + """
                layer { name: "max3s2p1" type: "Pooling" bottom: "data" top: "max3s2p1"
                        pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "ave3s2p1" type: "Pooling" bottom: "data" top: "ave3s2p1"
                        pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "max2s2_ceil" type: "Pooling" bottom: "data" top: "max2s2_ceil"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "ave3s3_ceil" type: "Pooling" bottom: "data" top: "ave3s3_ceil"
                        pooling_param { pool: AVE kernel_size: 3 stride: 3 } }
                layer { name: "max3s3p2_drop" type: "Pooling" bottom: "data" top: "max3s3p2_drop"
                        pooling_param { pool: MAX kernel_size: 3 stride: 3 pad: 2 } }
                layer { name: "ave3s3p2_drop" type: "Pooling" bottom: "data" top: "ave3s3p2_drop"
                        pooling_param { pool: AVE kernel_size: 3 stride: 3 pad: 2 } }
                layer { name: "ave4s3p2" type: "Pooling" bottom: "data" top: "ave4s3p2"
                        pooling_param { pool: AVE kernel_size: 4 stride: 3 pad: 2 } }
                layer { name: "max_stride_gt_kernel" type: "Pooling" bottom: "data" top: "max_stride_gt_kernel"
                        pooling_param { pool: MAX kernel_size: 2 stride: 3 } }
                layer { name: "ave_stride_gt_kernel" type: "Pooling" bottom: "data" top: "ave_stride_gt_kernel"
                        pooling_param { pool: AVE kernel_size: 2 stride: 3 } }
                layer { name: "max_asym" type: "Pooling" bottom: "data" top: "max_asym"
                        pooling_param { pool: MAX kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 1 pad_h: 1 pad_w: 0 } }
                layer { name: "ave_asym" type: "Pooling" bottom: "data" top: "ave_asym"
                        pooling_param { pool: AVE kernel_h: 2 kernel_w: 3 stride_h: 3 stride_w: 2 pad_h: 1 pad_w: 2 } }
                layer { name: "global_max" type: "Pooling" bottom: "data" top: "global_max"
                        pooling_param { pool: MAX global_pooling: true } }
                layer { name: "global_ave" type: "Pooling" bottom: "data" top: "global_ave"
                        pooling_param { pool: AVE global_pooling: true } }
                layer { name: "max_whole" type: "Pooling" bottom: "data" top: "max_whole"
                        pooling_param { pool: MAX kernel_h: 13 kernel_w: 11 } }
                """);
        // ceil rounding without padding: the last row of windows starts past the input (Caffe: MAX -FLT_MAX, AVE 0/0)
        // padding on one axis only: Caffe then drops a last window starting past the input on both axes
        NETS.put("pool_pad_one_axis", input(2, 9, 12) + """
                layer { name: "max" type: "Pooling" bottom: "data" top: "max"
                        pooling_param { pool: MAX kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 0 } }
                layer { name: "ave" type: "Pooling" bottom: "data" top: "ave"
                        pooling_param { pool: AVE kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 0 } }
                """);
        NETS.put("pool_empty_max", input(1, 12, 5) + """
                layer { name: "max2s3" type: "Pooling" bottom: "data" top: "max2s3" pooling_param { pool: MAX
                        kernel_size: 2 stride: 3 } }
                """);
        NETS.put("pool_empty_ave", input(1, 12, 5) + """
                layer { name: "ave2s3" type: "Pooling" bottom: "data" top: "ave2s3" pooling_param { pool: AVE
                        kernel_size: 2 stride: 3 } }
                """);
        NETS.put("lrn", input(7, 5, 6) + """
                layer { name: "across5_k2" type: "LRN" bottom: "data" top: "across5_k2"
                        lrn_param { local_size: 5 alpha: 0.3 beta: 0.75 k: 2 } }
                layer { name: "across3_k05" type: "LRN" bottom: "data" top: "across3_k05"
                        lrn_param { local_size: 3 alpha: 2 beta: 0.5 k: 0.5 } }
                layer { name: "within3_k2" type: "LRN" bottom: "data" top: "within3_k2"
                        lrn_param { local_size: 3 alpha: 0.5 beta: 0.75 k: 2 norm_region: WITHIN_CHANNEL } }
                layer { name: "within5" type: "LRN" bottom: "data" top: "within5"
                        lrn_param { local_size: 5 alpha: 3 beta: 0.6 norm_region: WITHIN_CHANNEL } }
                """);
        NETS.put("bn_scale", input(4, 5, 6) + """
                layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" batch_norm_param { eps: 0.01 } }
                layer { name: "sc_bias" type: "Scale" bottom: "bn" top: "bn" scale_param { bias_term: true } }
                layer { name: "bn2" type: "BatchNorm" bottom: "data" top: "bn2" }
                layer { name: "sc_nobias" type: "Scale" bottom: "bn2" top: "sc_nobias" }
                layer { name: "gap" type: "Pooling" bottom: "data" top: "gap" pooling_param { pool: AVE
                        global_pooling: true } }
                layer { name: "flat_gap" type: "Flatten" bottom: "gap" top: "flat_gap" }
                layer { name: "sc_by_vec" type: "Scale" bottom: "data" bottom: "flat_gap" top: "sc_by_vec"
                        scale_param { axis: 0 } }
                layer { name: "sc_axis2" type: "Scale" bottom: "data" top: "sc_axis2" scale_param { axis: 2
                        num_axes: 1 } }
                """);
        NETS.put("bias", input(4, 5, 6) + """
                layer { name: "bias" type: "Bias" bottom: "data" top: "bias" }
                """);
        NETS.put("eltwise", input(3, 4, 5) + """
                layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 3
                        kernel_size: 1 } }
                layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 3
                        kernel_size: 1 } }
                layer { name: "sum_coeff" type: "Eltwise" bottom: "data" bottom: "a" top: "sum_coeff"
                        eltwise_param { operation: SUM coeff: 0.5 coeff: -2 } }
                layer { name: "sum3" type: "Eltwise" bottom: "data" bottom: "a" bottom: "b" top: "sum3" }
                layer { name: "prod3" type: "Eltwise" bottom: "data" bottom: "a" bottom: "b" top: "prod3"
                        eltwise_param { operation: PROD } }
                layer { name: "max2" type: "Eltwise" bottom: "a" bottom: "b" top: "max2" eltwise_param {
                        operation: MAX } }
                layer { name: "max3" type: "Eltwise" bottom: "data" bottom: "a" bottom: "b" top: "max3"
                        eltwise_param { operation: MAX } }
                """);
        NETS.put("shape", input(6, 4, 5) + """
                layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 3
                        kernel_size: 1 } }
                layer { name: "cat1" type: "Concat" bottom: "data" bottom: "a" top: "cat1" }
                layer { name: "cat2" type: "Concat" bottom: "data" bottom: "data" top: "cat2" concat_param { axis: 2 } }
                layer { name: "cat3" type: "Concat" bottom: "a" bottom: "a" top: "cat3" concat_param { axis: -1 } }
                layer { name: "slice1" type: "Slice" bottom: "data" top: "s1a" top: "s1b" top: "s1c"
                        slice_param { axis: 1 slice_point: 1 slice_point: 4 } }
                layer { name: "slice3" type: "Slice" bottom: "data" top: "s3a" top: "s3b" slice_param { axis: 3
                        slice_point: 2 } }
                layer { name: "flat" type: "Flatten" bottom: "data" top: "flat" }
                layer { name: "flat2" type: "Flatten" bottom: "data" top: "flat2" flatten_param { axis: 2 } }
                layer { name: "reshape" type: "Reshape" bottom: "data" top: "reshape"
                        reshape_param { shape { dim: 0 dim: -1 dim: 10 } } }
                layer { name: "reshape_axis" type: "Reshape" bottom: "data" top: "reshape_axis"
                        reshape_param { shape { dim: 2 dim: 3 } axis: 1 num_axes: 1 } }
                layer { name: "ip4d" type: "InnerProduct" bottom: "data" top: "ip4d" inner_product_param {
                        num_output: 7 } }
                layer { name: "ip_nobias" type: "InnerProduct" bottom: "data" top: "ip_nobias"
                        inner_product_param { num_output: 5 bias_term: false } }
                layer { name: "ip_axis2" type: "InnerProduct" bottom: "data" top: "ip_axis2"
                        inner_product_param { num_output: 3 axis: 2 } }
                layer { name: "softmax_ip" type: "Softmax" bottom: "ip4d" top: "softmax_ip" }
                layer { name: "softmax_4d" type: "Softmax" bottom: "data" top: "softmax_4d" }
                layer { name: "softmax_axis2" type: "Softmax" bottom: "data" top: "softmax_axis2" softmax_param {
                        axis: 2 } }
                """);
        NETS.put("slice_equal", input(6, 4, 5) + """
                layer { name: "slice_eq" type: "Slice" bottom: "data" top: "seqa" top: "seqb" slice_param { axis: 2 } }
                """);
        NETS.put("activation", input(3, 4, 5) + """
                layer { name: "leaky" type: "ReLU" bottom: "data" top: "leaky" relu_param { negative_slope: 0.1 } }
                layer { name: "relu" type: "ReLU" bottom: "data" top: "relu" }
                layer { name: "prelu" type: "PReLU" bottom: "data" top: "prelu" }
                layer { name: "prelu_shared" type: "PReLU" bottom: "data" top: "prelu_shared" prelu_param {
                        channel_shared: true } }
                layer { name: "sigmoid" type: "Sigmoid" bottom: "data" top: "sigmoid" }
                layer { name: "tanh" type: "TanH" bottom: "data" top: "tanh" }
                layer { name: "absval" type: "AbsVal" bottom: "data" top: "absval" }
                layer { name: "pow3" type: "Power" bottom: "data" top: "pow3" power_param { power: 3 scale: 0.5
                        shift: 1 } }
                layer { name: "pow_half" type: "Power" bottom: "absval" top: "pow_half" power_param { power: 0.5
                        scale: 2 shift: 0.1 } }
                layer { name: "negate" type: "Power" bottom: "data" top: "negate" power_param { scale: -1 } }
                layer { name: "pow_const" type: "Power" bottom: "data" top: "pow_const" power_param { power: 2
                        scale: 0 shift: 3 } }
                layer { name: "elu" type: "ELU" bottom: "data" top: "elu" elu_param { alpha: 0.5 } }
                layer { name: "elu1" type: "ELU" bottom: "data" top: "elu1" }
                layer { name: "dropout" type: "Dropout" bottom: "data" top: "dropout" dropout_param {
                        dropout_ratio: 0.3 } }
                """);
        NETS.put("activation_more", input(3, 4, 5) + """
                layer { name: "bnll" type: "BNLL" bottom: "data" top: "bnll" }
                layer { name: "exp" type: "Exp" bottom: "data" top: "exp" }
                layer { name: "exp2" type: "Exp" bottom: "data" top: "exp2" exp_param { base: 2 scale: 0.5 shift: 1 } }
                layer { name: "log" type: "Log" bottom: "data" top: "log" log_param { shift: 3 } }
                layer { name: "log10" type: "Log" bottom: "data" top: "log10"
                        log_param { base: 10 scale: -0.5 shift: 2 } }
                """);
        NETS.put("mvn", input(3, 4, 5) + """
                layer { name: "mvn" type: "MVN" bottom: "data" top: "mvn" }
                layer { name: "mvn_across" type: "MVN" bottom: "data" top: "mvn_across"
                        mvn_param { across_channels: true eps: 0.01 } }
                layer { name: "mvn_mean" type: "MVN" bottom: "data" top: "mvn_mean"
                        mvn_param { normalize_variance: false } }
                """);
        // OpenCV 4.6 has no Threshold, Clip or Tile: this runs our engine only (hand-computed unit tests check them)
        NETS.put("threshold_clip_tile", input(3, 4, 5) + """
                layer { name: "threshold" type: "Threshold" bottom: "data" top: "threshold"
                        threshold_param { threshold: 0.3 } }
                layer { name: "clip" type: "Clip" bottom: "data" top: "clip" clip_param { min: -0.5 max: 1 } }
                layer { name: "tile" type: "Tile" bottom: "data" top: "tile" tile_param { axis: 2 tiles: 3 } }
                """);
        NETS.put("misc", input(4, 9, 10) + """
                layer { name: "pool" type: "Pooling" bottom: "data" top: "pool" pooling_param { pool: MAX
                        kernel_size: 2 stride: 2 } }
                layer { name: "crop" type: "Crop" bottom: "data" bottom: "pool" top: "crop" crop_param { axis: 2
                        offset: 1 offset: 3 } }
                layer { name: "crop_one" type: "Crop" bottom: "data" bottom: "pool" top: "crop_one" crop_param {
                        axis: 2 offset: 2 } }
                layer { name: "permute" type: "Permute" bottom: "data" top: "permute" permute_param { order: 0
                        order: 2 order: 3 order: 1 } }
                layer { name: "permute2" type: "Permute" bottom: "data" top: "permute2" permute_param { order: 0
                        order: 3 order: 1 order: 2 } }
                layer { name: "norm" type: "Normalize" bottom: "data" top: "norm"
                        norm_param { across_spatial: false channel_shared: false } }
                layer { name: "norm_spatial" type: "Normalize" bottom: "data" top: "norm_spatial"
                        norm_param { across_spatial: true channel_shared: true eps: 0.001 } }
                layer { name: "split" type: "Split" bottom: "data" top: "split_a" top: "split_b" }
                """);
    }

    /** One-layer (or few-layer) nets: OpenCV refuses a whole net for one layer it cannot run. */
    static {
        NETS.put("conv_dil_hw", input(2, 9, 10) + """
                layer { name: "dil_1_2" type: "Convolution" bottom: "data" top: "dil_1_2"
                        convolution_param { num_output: 2 kernel_size: 3 pad: 1 pad: 2 dilation: 1 dilation: 2 } }
                """);
        NETS.put("bn_batch_stats", input(3, 4, 5) + """
                layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" batch_norm_param {
                        use_global_stats: false } }
                """);
        NETS.put("ip_transpose", input(3, 2, 2) + """
                layer { name: "ip_t" type: "InnerProduct" bottom: "data" top: "ip_t" inner_product_param {
                        num_output: 4 transpose: true } }
                """);
        NETS.put("shape_more", input(6, 4, 5) + """
                layer { name: "cat_dim" type: "Concat" bottom: "data" bottom: "data" top: "cat_dim" concat_param {
                        concat_dim: 1 } }
                layer { name: "slice_dim" type: "Slice" bottom: "data" top: "sd_a" top: "sd_b" slice_param {
                        slice_dim: 1 slice_point: 4 } }
                layer { name: "flat_end" type: "Flatten" bottom: "data" top: "flat_end" flatten_param { axis: 1
                        end_axis: 2 } }
                layer { name: "reshape_mid" type: "Reshape" bottom: "data" top: "reshape_mid"
                        reshape_param { shape { dim: 0 dim: 3 dim: -1 dim: 5 } } }
                layer { name: "softmax_last" type: "Softmax" bottom: "data" top: "softmax_last" softmax_param {
                        axis: -1 } }
                """);
        NETS.put("concat_batch", input(6, 4, 5) + """
                layer { name: "cat0" type: "Concat" bottom: "data" bottom: "data" top: "cat0" concat_param { axis: 0 } }
                """);
        NETS.put("reshape_append", input(6, 4, 5) + """
                layer { name: "reshape_neg_axis" type: "Reshape" bottom: "data" top: "reshape_neg_axis"
                        reshape_param { shape { dim: 1 } axis: -1 num_axes: 0 } }
                """);
        NETS.put("crop_channels", input(6, 4, 5) + """
                layer { name: "slice" type: "Slice" bottom: "data" top: "s_a" top: "s_b" slice_param {
                        slice_point: 4 } }
                layer { name: "crop1" type: "Crop" bottom: "data" bottom: "s_a" top: "crop1" crop_param { axis: 1
                        offset: 2 offset: 0 offset: 0 } }
                """);
        NETS.put("scale_by_bottom_bias", input(4, 3, 5) + """
                layer { name: "gap" type: "Pooling" bottom: "data" top: "gap" pooling_param { pool: MAX
                        global_pooling: true } }
                layer { name: "flat" type: "Flatten" bottom: "gap" top: "flat" }
                layer { name: "sc_vec_bias" type: "Scale" bottom: "data" bottom: "flat" top: "sc_vec_bias"
                        scale_param { axis: 0 bias_term: true } }
                """);
        NETS.put("scale_all_axes", input(4, 3, 5) + """
                layer { name: "sc_all" type: "Scale" bottom: "data" top: "sc_all" scale_param { axis: 1 num_axes: -1 } }
                """);
        NETS.put("scale_scalar", input(4, 3, 5) + """
                layer { name: "sc_scalar" type: "Scale" bottom: "data" top: "sc_scalar" scale_param { num_axes: 0
                        bias_term: true } }
                """);
        NETS.put("eltwise_more", input(2, 3, 4) + """
                layer { name: "sq" type: "Power" bottom: "data" top: "sq" power_param { power: 2 } }
                layer { name: "sum3_coeff" type: "Eltwise" bottom: "data" bottom: "sq" bottom: "data" top: "sum3_coeff"
                        eltwise_param { coeff: 1.5 coeff: -0.5 coeff: 0.25 } }
                layer { name: "prod2" type: "Eltwise" bottom: "data" bottom: "sq" top: "prod2" eltwise_param {
                        operation: PROD } }
                """);
        NETS.put("lrn_more", input(5, 3, 4) + """
                layer { name: "across1" type: "LRN" bottom: "data" top: "across1" lrn_param { local_size: 1 alpha: 1
                        beta: 0.75 } }
                layer { name: "across7" type: "LRN" bottom: "data" top: "across7" lrn_param { local_size: 7
                        alpha: 0.5 beta: 1.5 } }
                """);
        NETS.put("pool_pad_only", input(2, 7, 8) + """
                layer { name: "ave2s2p1" type: "Pooling" bottom: "data" top: "ave2s2p1" pooling_param { pool: AVE
                        kernel_size: 2 stride: 2 pad: 1 } }
                layer { name: "ave3s1p2" type: "Pooling" bottom: "data" top: "ave3s1p2" pooling_param { pool: AVE
                        kernel_size: 3 stride: 1 pad: 2 } }
                layer { name: "max3s1p2" type: "Pooling" bottom: "data" top: "max3s1p2" pooling_param { pool: MAX
                        kernel_size: 3 stride: 1 pad: 2 } }
                """);
        NETS.put("norm_spatial_channels", input(3, 4, 5) + """
                layer { name: "norm_sp_ch" type: "Normalize" bottom: "data" top: "norm_sp_ch" norm_param {
                        across_spatial: true channel_shared: false } }
                """);
        NETS.put("norm_more", input(3, 4, 5) + """
                layer { name: "norm_px_shared" type: "Normalize" bottom: "data" top: "norm_px_shared" norm_param {
                        across_spatial: false eps: 0.5 } }
                """);
        NETS.put("priorbox", input(3, 4, 5) + """
                layer { name: "img" type: "Input" top: "img" input_param { shape { dim: 2 dim: 3 dim: 40 dim: 50 } } }
                layer { name: "pb" type: "PriorBox" bottom: "data" bottom: "img" top: "pb"
                        prior_box_param { min_size: 8 max_size: 20 aspect_ratio: 2 aspect_ratio: 3 flip: true clip: true
                                          variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
                layer { name: "pb_step" type: "PriorBox" bottom: "data" bottom: "img" top: "pb_step"
                        prior_box_param { min_size: 10 aspect_ratio: 2 flip: false step: 9 offset: 0.25
                            variance: 0.1 } }
                layer { name: "pb_hw" type: "PriorBox" bottom: "data" bottom: "img" top: "pb_hw"
                        prior_box_param { min_size: 6 min_size: 12 img_h: 30 img_w: 60 step_h: 7 step_w: 11
                                          variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
                """);
        // Convolution outputs are channels-last arrays inside the engine: every layer here reads one
        NETS.put("after_conv", input(3, 9, 11) + """
                layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 6
                        kernel_size: 3 pad: 1 } }
                layer { name: "c2" type: "Convolution" bottom: "data" top: "c2" convolution_param { num_output: 4
                        kernel_size: 1 } }
                layer { name: "s_before" type: "Sigmoid" bottom: "c" top: "s_before" }
                layer { name: "relu_inplace" type: "ReLU" bottom: "c" top: "c" relu_param { negative_slope: 0.2 } }
                layer { name: "abs_after" type: "AbsVal" bottom: "c" top: "abs_after" }
                layer { name: "bn_inplace" type: "BatchNorm" bottom: "c" top: "c" }
                layer { name: "scale_inplace" type: "Scale" bottom: "c" top: "c" scale_param { bias_term: true } }
                layer { name: "prelu_inplace" type: "PReLU" bottom: "c" top: "c" }
                layer { name: "ave_pad" type: "Pooling" bottom: "c" top: "ave_pad" pooling_param { pool: AVE
                        kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "ave_clip" type: "Pooling" bottom: "c" top: "ave_clip" pooling_param { pool: AVE
                        kernel_size: 4 stride: 3 pad: 2 } }
                layer { name: "max_pad" type: "Pooling" bottom: "c" top: "max_pad" pooling_param { pool: MAX
                        kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "gap" type: "Pooling" bottom: "c" top: "gap" pooling_param { pool: AVE
                        global_pooling: true } }
                layer { name: "cat" type: "Concat" bottom: "c" bottom: "c2" top: "cat" }
                layer { name: "cat_mixed" type: "Concat" bottom: "c" bottom: "data" top: "cat_mixed" }
                layer { name: "cat_h" type: "Concat" bottom: "c" bottom: "c" top: "cat_h" concat_param { axis: 2 } }
                layer { name: "slice" type: "Slice" bottom: "cat" top: "sl_a" top: "sl_b" slice_param {
                        slice_point: 6 } }
                layer { name: "eltwise_cl" type: "Eltwise" bottom: "c2" bottom: "sl_b" top: "eltwise_cl"
                        eltwise_param { coeff: 2 coeff: -1 } }
                layer { name: "flat" type: "Flatten" bottom: "c" top: "flat" }
                layer { name: "ip" type: "InnerProduct" bottom: "c" top: "ip" inner_product_param { num_output: 5 } }
                layer { name: "reshape" type: "Reshape" bottom: "c2" top: "reshape" reshape_param { shape { dim: 0
                        dim: 2 dim: -1 } } }
                layer { name: "permute" type: "Permute" bottom: "c2" top: "permute" permute_param { order: 0 order: 2
                        order: 3 order: 1 } }
                layer { name: "softmax" type: "Softmax" bottom: "c2" top: "softmax" }
                layer { name: "lrn" type: "LRN" bottom: "c2" top: "lrn" lrn_param { local_size: 3 alpha: 0.5
                        beta: 0.75 } }
                layer { name: "norm" type: "Normalize" bottom: "c2" top: "norm" norm_param { across_spatial: false
                        channel_shared: false } }
                layer { name: "crop" type: "Crop" bottom: "c2" bottom: "ave_pad" top: "crop" crop_param { axis: 2
                        offset: 1 } }
                layer { name: "dw" type: "Convolution" bottom: "c2" top: "dw" convolution_param { num_output: 4
                        kernel_size: 3 group: 4 pad: 1 } }
                layer { name: "deconv" type: "Deconvolution" bottom: "c2" top: "deconv" convolution_param {
                        num_output: 2 kernel_size: 2 stride: 2 } }
                layer { name: "power" type: "Power" bottom: "c2" top: "power" power_param { power: 2 shift: 1 } }
                layer { name: "tanh_inplace" type: "TanH" bottom: "c2" top: "c2" }
                layer { name: "big_kernel" type: "Convolution" bottom: "c2" top: "big_kernel"
                        convolution_param { num_output: 2 kernel_size: 11 pad: 4 } }
                """);
        // an SSD head: 3 priors per cell, 4 classes; compared as the set of detections (see opencv_crosscheck.py)
        NETS.put("ssd_head", input(3, 4, 5) + """
                layer { name: "img" type: "Input" top: "img" input_param { shape { dim: 2 dim: 3 dim: 40 dim: 50 } } }
                layer { name: "loc" type: "Convolution" bottom: "data" top: "loc"
                        convolution_param { num_output: 12 kernel_size: 3 pad: 1 } }
                layer { name: "loc_perm" type: "Permute" bottom: "loc" top: "loc_perm"
                        permute_param { order: 0 order: 2 order: 3 order: 1 } }
                layer { name: "loc_flat" type: "Flatten" bottom: "loc_perm" top: "loc_flat" }
                layer { name: "conf" type: "Convolution" bottom: "data" top: "conf"
                        convolution_param { num_output: 12 kernel_size: 3 pad: 1 } }
                layer { name: "conf_perm" type: "Permute" bottom: "conf" top: "conf_perm"
                        permute_param { order: 0 order: 2 order: 3 order: 1 } }
                layer { name: "conf_flat" type: "Flatten" bottom: "conf_perm" top: "conf_flat" }
                layer { name: "conf_reshape" type: "Reshape" bottom: "conf_flat" top: "conf_reshape"
                        reshape_param { shape { dim: 0 dim: -1 dim: 4 } } }
                layer { name: "conf_softmax" type: "Softmax" bottom: "conf_reshape" top: "conf_softmax"
                        softmax_param { axis: 2 } }
                layer { name: "conf_prob" type: "Flatten" bottom: "conf_softmax" top: "conf_prob" }
                layer { name: "priors" type: "PriorBox" bottom: "data" bottom: "img" top: "priors"
                        prior_box_param { min_size: 12 max_size: 25 aspect_ratio: 2 flip: false clip: true
                                          variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
                layer { name: "detection" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_prob"
                        bottom: "priors" top: "detection"
                        detection_output_param { num_classes: 4 share_location: true background_label_id: 0
                                                 nms_param { nms_threshold: 0.3 top_k: 20 } code_type: CENTER_SIZE
                                                 keep_top_k: 15 confidence_threshold: 0.2 } }
                layer { name: "loc4" type: "Convolution" bottom: "data" top: "loc4"
                        convolution_param { num_output: 48 kernel_size: 1 } }
                layer { name: "loc4_perm" type: "Permute" bottom: "loc4" top: "loc4_perm"
                        permute_param { order: 0 order: 2 order: 3 order: 1 } }
                layer { name: "loc4_flat" type: "Flatten" bottom: "loc4_perm" top: "loc4_flat" }
                layer { name: "detection_per_class" type: "DetectionOutput" bottom: "loc4_flat" bottom: "conf_prob"
                        bottom: "priors" top: "detection_per_class"
                        detection_output_param { num_classes: 4 share_location: false background_label_id: -1
                                                 nms_param { nms_threshold: 0.45 top_k: 8 eta: 0.9 } code_type: CORNER
                                                 keep_top_k: 10
                                                 confidence_threshold: 0.3 } }
                """);
        // per-channel layers on 2-D and 3-D blobs (after an InnerProduct, or a sequence input)
        NETS.put("fc_bn", input(3, 4, 5) + """
                layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 6 } }
                layer { name: "fc_bn" type: "BatchNorm" bottom: "fc" top: "fc_bn" batch_norm_param { eps: 0.001 } }
                layer { name: "fc_scale" type: "Scale" bottom: "fc_bn" top: "fc_scale" scale_param { bias_term: true } }
                layer { name: "fc_prelu" type: "PReLU" bottom: "fc_scale" top: "fc_prelu" }
                layer { name: "fc_softmax" type: "Softmax" bottom: "fc_prelu" top: "fc_softmax" }
                """);
        // (cv2 takes a 3-D numpy array for an image with channels: the input is 4-D, reshaped to 3-D in the net)
        NETS.put("sequence", input(6, 10, 1) + """
                layer { name: "seq" type: "Reshape" bottom: "data" top: "seq"
                        reshape_param { shape { dim: 0 dim: 0 dim: -1 } } }
                layer { name: "seq_bn" type: "BatchNorm" bottom: "seq" top: "seq_bn" }
                layer { name: "seq_scale" type: "Scale" bottom: "seq_bn" top: "seq_scale" }
                layer { name: "seq_prelu" type: "PReLU" bottom: "seq" top: "seq_prelu" }
                layer { name: "seq_ip" type: "InnerProduct" bottom: "seq" top: "seq_ip"
                        inner_product_param { num_output: 4 axis: 2 } }
                layer { name: "seq_softmax" type: "Softmax" bottom: "seq" top: "seq_softmax" }
                layer { name: "seq_slice" type: "Slice" bottom: "seq" top: "seq_a" top: "seq_b"
                        slice_param { axis: 2 slice_point: 3 } }
                layer { name: "seq_concat" type: "Concat" bottom: "seq_b" bottom: "seq_a" top: "seq_concat"
                        concat_param { axis: 2 } }
                layer { name: "seq_eltwise" type: "Eltwise" bottom: "seq_concat" bottom: "seq" top: "seq_eltwise"
                        eltwise_param { operation: PROD } }
                """);
        NETS.put("argmax", input(5, 2, 3) + """
                layer { name: "am" type: "ArgMax" bottom: "data" top: "am" argmax_param { top_k: 2 out_max_val: true } }
                layer { name: "am_axis" type: "ArgMax" bottom: "data" top: "am_axis" argmax_param { axis: 1 } }
                """);
    }

    /** Seeded random geometries, each layer reading the input: 8 nets of 12 Convolutions, Deconvolutions, Poolings. */
    static {
        for (int seed = 1; seed <= 8; seed++) {
            NETS.put("random" + seed, randomGeometries(new Random(seed)));
        }
    }

    /**
     * Random kernel (1-5 per axis), stride (1-3), pad (below the dilated kernel), dilation (1-2, Convolution only:
     * OpenCV leaves it out of Deconvolution) and group; Pooling pads both axes or neither, and without padding its
     * stride is at most its kernel, so no window starts past the input (where OpenCV and Caffe part ways, see
     * opencv_crosscheck.py).
     */
    static String randomGeometries(Random r) {
        int h = 9 + r.nextInt(6);
        int w = 9 + r.nextInt(6);
        StringBuilder net = new StringBuilder(input(6, h, w));
        for (int i = 0; i < 12; i++) {
            int kh = 1 + r.nextInt(5);
            int kw = 1 + r.nextInt(5);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            String type = i % 3 == 0 ? "Convolution" : i % 3 == 1 ? "Deconvolution" : "Pooling";
            String name = type.toLowerCase() + i;
            net.append("layer { name: \"").append(name).append("\" type: \"").append(type)
                    .append("\" bottom: \"data\" top: \"").append(name).append("\"\n    ");
            if (type.equals("Pooling")) {
                int ph = r.nextInt(kh);
                int pw = ph > 0 && kw > 1 ? 1 + r.nextInt(kw - 1) : 0;
                if (ph == 0 || pw == 0) {
                    ph = 0;
                    pw = 0;
                    sh = Math.min(sh, kh);
                    sw = Math.min(sw, kw);
                }
                boolean max = r.nextBoolean();
                net.append("pooling_param { pool: ").append(max ? "MAX" : "AVE").append(" kernel_h: ").append(kh)
                        .append(" kernel_w: ").append(kw).append(" stride_h: ").append(sh).append(" stride_w: ")
                        .append(sw).append(" pad_h: ").append(ph).append(" pad_w: ").append(pw).append(" } }\n");
            } else {
                int dilation = type.equals("Convolution") ? 1 + r.nextInt(2) : 1;
                int group = new int[] {1, 1, 2, 3, 6}[r.nextInt(5)];
                int outputs = group * (1 + r.nextInt(3));
                net.append("convolution_param { num_output: ").append(outputs).append(" group: ").append(group)
                        .append(" kernel_h: ").append(kh).append(" kernel_w: ").append(kw).append(" stride_h: ")
                        .append(sh).append(" stride_w: ").append(sw).append(" pad_h: ")
                        .append(r.nextInt(dilation * (kh - 1) + 1)).append(" pad_w: ")
                        .append(r.nextInt(dilation * (kw - 1) + 1)).append(" dilation: ").append(dilation)
                        .append(" bias_term: ").append(r.nextBoolean()).append(" } }\n");
            }
        }
        return net.toString();
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        List<String> names = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.copyOf(NETS.keySet());
        for (String name : names) {
            if (!NETS.containsKey(name)) {
                throw new IllegalArgumentException("no net '" + name + "'; the nets: " + NETS.keySet());
            }
            Path prototxt = out.resolve(name + ".prototxt");
            Path caffemodel = out.resolve(name + ".caffemodel");
            Path input = out.resolve(name + ".input.npy");
            Path forOpenCv = out.resolve(name + ".opencv.caffemodel");
            Path refused = out.resolve(name + ".refused");
            Files.deleteIfExists(refused);
            Files.writeString(prototxt, "name: \"" + name + "\"\n" + NETS.get(name));
            try {
                NetParameter definition = PrototxtReader.read(prototxt);
                NetParameter weights = TestWeights.random(definition, name.hashCode(), 2.5f);
                Files.deleteIfExists(caffemodel);
                Files.deleteIfExists(forOpenCv);
                if (weights.getLayerCount() > 0) {
                    Files.write(caffemodel, weights.toByteArray());
                    NetParameter shaped = withoutScalars(weights);
                    if (!shaped.equals(weights)) {
                        Files.write(forOpenCv, shaped.toByteArray());
                    }
                }
                Net net = NetLoader.load(prototxt, weights.getLayerCount() > 0 ? caffemodel : null);
                Map<String, INDArray> inputs = new LinkedHashMap<>();
                Random r = new Random(17);
                for (String blob : net.inputBlobs()) {
                    int[] shape = net.shape(blob);
                    float[] x = uniform(r, (int) Blob.count(shape), 2f);
                    Path file = inputs.isEmpty() ? input : out.resolve(name + ".input." + blob + ".npy");
                    Npy.write(new Blob(shape, x), file);
                    inputs.put(blob, Tensors.of(x, Arrays.stream(shape).asLongStream().toArray()));
                }
                new FloatEngine(net).forward(inputs, new LayerDump(out.resolve(name + ".ours"), List.of(input)));
                System.out.println(name + ": " + net.layers().size() + " layers");
            } catch (ModelException e) {
                Files.writeString(refused, e.getMessage() + "\n");
                System.out.println(name + ": refused: " + e.getMessage());
            }
        }
    }

    /** Uniform values in [-1, 1) of every parameter shape; BatchNorm: variance in [0.1, 1.1), factor 2.5. */
    /**
     * The weights with every 0-D blob (a channel-shared PReLU or Normalize scale, as Caffe stores it) given shape
     * [1]: OpenCV cannot read a 0-D blob, Caffe (and our loader) refuse [1] there.
     */
    static NetParameter withoutScalars(NetParameter weights) {
        NetParameter.Builder b = weights.toBuilder();
        for (LayerParameter.Builder l : b.getLayerBuilderList()) {
            for (var blob : l.getBlobsBuilderList()) {
                if (blob.getShape().getDimCount() == 0) {
                    blob.getShapeBuilder().addDim(1);
                }
            }
        }
        return b.build();
    }

    /** {@code n} values uniform in [-half, half). */
    static float[] uniform(Random r, int n, float half) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() * 2 - 1) * half;
        }
        return v;
    }
}
