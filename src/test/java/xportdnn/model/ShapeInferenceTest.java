package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;
import xportdnn.model.proto.Caffe.LayerParameter;

/** Caffe's shape rules on small hand-computed cases. */
class ShapeInferenceTest {

    private static LayerParameter layer(String text) {
        try {
            LayerParameter.Builder b = LayerParameter.newBuilder().setName("l");
            TextFormat.merge(text, b);
            if (b.getTopCount() == 0) {
                b.addTop("t");
            }
            return b.build();
        } catch (TextFormat.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static int[] top(String text, int[]... bottoms) {
        List<int[]> tops = ShapeInference.topShapes(layer(text), List.of(bottoms));
        assertEquals(1, tops.size());
        return tops.get(0);
    }

    private static int[] s(int... dims) {
        return dims;
    }

    @Test
    void convolution() {
        // (32 + 2*2 - 5)/1 + 1 = 32
        assertArrayEquals(s(1, 32, 32, 32), top("type: 'Convolution' convolution_param { num_output: 32 pad: 2 "
                + "kernel_size: 5 }", s(1, 3, 32, 32)));
        // stride 2, kernel 3, pad 1 on 240x320: (240+2-3)/2+1 = 120, (320+2-3)/2+1 = 160
        assertArrayEquals(s(1, 16, 120, 160), top("type: 'Convolution' convolution_param { num_output: 16 pad: 1 "
                + "stride: 2 kernel_size: 3 }", s(1, 3, 240, 320)));
        // dilation 2 makes a 3x3 kernel span 5: (10 - 5)/1 + 1 = 6
        assertArrayEquals(s(2, 4, 6, 6), top("type: 'Convolution' convolution_param { num_output: 4 kernel_size: 3 "
                + "dilation: 2 }", s(2, 8, 10, 10)));
        // kernel_h/w, pad_h/w, stride_h/w: h (7+2*1-3)/2+1 = 4, w (9+0-1)/1+1 = 9
        assertArrayEquals(s(1, 6, 4, 9), top("type: 'Convolution' convolution_param { num_output: 6 kernel_h: 3 "
                + "kernel_w: 1 pad_h: 1 pad_w: 0 stride_h: 2 stride_w: 1 group: 3 }", s(1, 3, 7, 9)));
        // one value per spatial axis in the repeated form
        assertArrayEquals(s(1, 2, 5, 3), top("type: 'Convolution' convolution_param { num_output: 2 kernel_size: 3 "
                + "kernel_size: 5 stride: 1 stride: 2 }", s(1, 1, 7, 9)));
        // 1-D convolution with axis 2: the dims before the axis are kept as batch
        assertArrayEquals(s(2, 5, 8, 6), top("type: 'Convolution' convolution_param { num_output: 8 kernel_size: 3 "
                + "axis: 2 }", s(2, 5, 4, 8)));
    }

    @Test
    void convolutionParameterShapesAndMultiplyAdds() {
        LayerParameter depthwise = layer("type: 'Convolution' convolution_param { num_output: 32 kernel_size: 3 "
                + "group: 32 pad: 1 }");
        List<int[]> shapes = ParameterShapes.of(depthwise, List.of(s(1, 32, 16, 16)));
        assertArrayEquals(s(32, 1, 3, 3), shapes.get(0));
        assertArrayEquals(s(32), shapes.get(1));
        // 32*16*16 outputs, each 1 input channel * 9 taps
        assertEquals(32 * 16 * 16 * 9, MultiplyAdds.perImage(depthwise, List.of(s(1, 32, 16, 16)),
                List.of(s(1, 32, 16, 16))));
        // batch 4 counts per image
        LayerParameter conv = layer("type: 'Convolution' convolution_param { num_output: 20 kernel_size: 5 }");
        assertEquals(20L * 24 * 24 * 25, MultiplyAdds.perImage(conv, List.of(s(4, 1, 28, 28)), List.of(s(4, 20, 24, 24))));
    }

    @Test
    void deconvolution() {
        // 2*(8-1) + 4 - 2*1 = 16
        LayerParameter up = layer("type: 'Deconvolution' convolution_param { num_output: 6 kernel_size: 4 stride: 2 "
                + "pad: 1 group: 3 bias_term: false }");
        assertArrayEquals(s(1, 6, 16, 16), ShapeInference.topShapes(up, List.of(s(1, 3, 8, 8))).get(0));
        List<int[]> params = ParameterShapes.of(up, List.of(s(1, 3, 8, 8)));
        assertEquals(1, params.size());
        assertArrayEquals(s(3, 2, 4, 4), params.get(0));
        assertEquals(3L * 8 * 8 * 2 * 16, MultiplyAdds.perImage(up, List.of(s(1, 3, 8, 8)), List.of(s(1, 6, 16, 16))));
    }

    @Test
    void innerProduct() {
        LayerParameter ip = layer("type: 'InnerProduct' inner_product_param { num_output: 10 }");
        assertArrayEquals(s(1, 10), top("type: 'InnerProduct' inner_product_param { num_output: 10 }", s(1, 64, 4, 4)));
        assertArrayEquals(s(10, 1024), ParameterShapes.of(ip, List.of(s(1, 64, 4, 4))).get(0));
        assertEquals(10 * 1024, MultiplyAdds.perImage(ip, List.of(s(1, 64, 4, 4)), List.of(s(1, 10))));
        LayerParameter axis2 = layer("type: 'InnerProduct' inner_product_param { num_output: 7 axis: 2 transpose: true }");
        assertArrayEquals(s(2, 3, 7), ShapeInference.topShapes(axis2, List.of(s(2, 3, 4, 5))).get(0));
        assertArrayEquals(s(20, 7), ParameterShapes.of(axis2, List.of(s(2, 3, 4, 5))).get(0));
    }

    @Test
    void pooling() {
        // ceil((32-3)/2)+1 = 16 (floor would give 15)
        assertArrayEquals(s(1, 32, 16, 16), top("type: 'Pooling' pooling_param { pool: MAX kernel_size: 3 stride: 2 }",
                s(1, 32, 32, 32)));
        assertArrayEquals(s(1, 32, 15, 15), top("type: 'Pooling' pooling_param { pool: MAX kernel_size: 3 stride: 2 "
                + "round_mode: FLOOR }", s(1, 32, 32, 32)));
        // with pad 1: ceil((5+2-2)/2)+1 = 4, but window 4 would start at 6 >= 5+1, in the padding: clipped to 3
        assertArrayEquals(s(1, 1, 3, 3), top("type: 'Pooling' pooling_param { pool: AVE kernel_size: 2 stride: 2 "
                + "pad: 1 }", s(1, 1, 5, 5)));
        // without the clip case: ceil((6+2-3)/2)+1 = 4, last window starts at 6 < 6+1
        assertArrayEquals(s(1, 1, 4, 4), top("type: 'Pooling' pooling_param { pool: MAX kernel_size: 3 stride: 2 "
                + "pad: 1 }", s(1, 1, 6, 6)));
        assertArrayEquals(s(1, 1000, 1, 1), top("type: 'Pooling' pooling_param { pool: AVE global_pooling: true }",
                s(1, 1000, 15, 15)));
        assertArrayEquals(s(1, 3, 2, 7), top("type: 'Pooling' pooling_param { kernel_h: 3 kernel_w: 1 stride_h: 3 "
                + "stride_w: 1 }", s(1, 3, 6, 7)));
    }

    @Test
    void poolingWithPaddingOnOneAxisDropsAWindowStartingPastTheInputOnBoth() {
        // 9x12, kernel 3x2, stride 2x3, pad 1x0. Height: ceil((9+2-3)/2)+1 = 5, (5-1)*2 = 8 < 9+1, kept. Width:
        // ceil((12-2)/3)+1 = 5, window 4 starts at (5-1)*3 = 12 >= 12+0: Caffe drops it because pad_h is set
        assertArrayEquals(s(1, 2, 5, 4), top("type: 'Pooling' pooling_param { pool: MAX kernel_h: 3 kernel_w: 2 "
                + "stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 0 }", s(1, 2, 9, 12)));
        // without any padding Caffe keeps it and pools nothing there (-FLT_MAX): refused, naming the layer
        ModelException e = assertThrows(ModelException.class, () -> top("type: 'Pooling' pooling_param { pool: MAX "
                + "kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 }", s(1, 2, 9, 12)));
        assertTrue(e.getMessage().startsWith("layer 'l': Pooling's last window along the columns starts past the "
                + "12-column input (5 windows, stride 3 > kernel 2, rounded up)"), e.getMessage());
    }

    /** Caffe's PoolingLayer CHECKs these; before, a lone pad_h padded only the height and a global stride was ignored. */
    @Test
    void poolingRefusesWhatCaffeRefuses() {
        ModelException e = assertThrows(ModelException.class, () -> top("type: 'Pooling' pooling_param { pool: MAX "
                + "global_pooling: true stride: 2 }", s(1, 3, 6, 6)));
        assertEquals("layer 'l': global_pooling takes only pad 0 and stride 1 (as Caffe), got pad 0x0, stride 2x2",
                e.getMessage());
        e = assertThrows(ModelException.class, () -> top("type: 'Pooling' pooling_param { kernel_size: 3 pad_h: 1 }",
                s(1, 3, 6, 6)));
        assertEquals("layer 'l': give pooling_param.pad or both pad_h and pad_w, not only pad_h", e.getMessage());
        e = assertThrows(ModelException.class, () -> top("type: 'Pooling' pooling_param { kernel_size: 3 stride: 2 "
                + "stride_h: 1 stride_w: 1 }", s(1, 3, 6, 6)));
        assertEquals("layer 'l': give pooling_param.stride or both stride_h and stride_w, not stride with stride_h and "
                + "stride_w", e.getMessage());
        // both _h and _w, and the single value, are accepted: ceil((6+2-3)/1)+1 = 6 rows, ceil((6-3)/2)+1 = 3 columns
        assertArrayEquals(s(1, 3, 6, 3), top("type: 'Pooling' pooling_param { kernel_size: 3 pad_h: 1 pad_w: 0 "
                + "stride_h: 1 stride_w: 2 }", s(1, 3, 6, 6)));
    }

    @Test
    void elementwiseAndNormalisationKeepTheShape() {
        for (String type : List.of("ReLU", "PReLU", "Sigmoid", "TanH", "ELU", "AbsVal", "BNLL", "Power", "Exp", "Log",
                "Threshold", "Clip", "BatchNorm", "Scale", "Bias", "Softmax", "LRN", "Dropout", "Normalize", "MVN")) {
            assertArrayEquals(s(1, 8, 5, 5), top("type: '" + type + "'", s(1, 8, 5, 5)), type);
        }
        List<int[]> bn = ParameterShapes.of(layer("type: 'BatchNorm'"), List.of(s(1, 8, 5, 5)));
        assertEquals(3, bn.size());
        assertArrayEquals(s(8), bn.get(0));
        assertArrayEquals(s(8), bn.get(1));
        assertArrayEquals(s(1), bn.get(2));
        assertArrayEquals(s(), ParameterShapes.of(layer("type: 'PReLU' prelu_param { channel_shared: true }"),
                List.of(s(1, 8, 5, 5))).get(0));
        assertArrayEquals(s(8), ParameterShapes.of(layer("type: 'Normalize' norm_param { channel_shared: false }"),
                List.of(s(1, 8, 5, 5))).get(0));
    }

    @Test
    void scaleAndBias() {
        List<int[]> scale = ParameterShapes.of(layer("type: 'Scale' scale_param { bias_term: true }"),
                List.of(s(2, 8, 5, 5)));
        assertEquals(2, scale.size());
        assertArrayEquals(s(8), scale.get(0));
        assertArrayEquals(s(8), scale.get(1));
        assertArrayEquals(s(8, 5), ParameterShapes.of(layer("type: 'Scale' scale_param { num_axes: 2 }"),
                List.of(s(2, 8, 5, 5))).get(0));
        assertArrayEquals(s(5, 5), ParameterShapes.of(layer("type: 'Bias' bias_param { axis: -2 num_axes: -1 }"),
                List.of(s(2, 8, 5, 5))).get(0));
        assertArrayEquals(s(), ParameterShapes.of(layer("type: 'Scale' scale_param { num_axes: 0 }"),
                List.of(s(2, 8, 5, 5))).get(0));
        // with a second bottom the factor is an input, not a parameter; only the bias remains
        LayerParameter twoInputs = layer("type: 'Scale' scale_param { bias_term: true }");
        List<int[]> params = ParameterShapes.of(twoInputs, List.of(s(2, 8, 5, 5), s(8, 5)));
        assertEquals(1, params.size());
        assertArrayEquals(s(8, 5), params.get(0));
        assertThrows(ModelException.class, () -> ShapeInference.topShapes(twoInputs, List.of(s(2, 8, 5, 5), s(5, 8))));
    }

    @Test
    void joinAndSplit() {
        assertArrayEquals(s(1, 256, 55, 55), top("type: 'Concat'", s(1, 128, 55, 55), s(1, 128, 55, 55)));
        assertArrayEquals(s(1, 17680), top("type: 'Concat' concat_param { axis: 1 }", s(1, 14400), s(1, 2400),
                s(1, 640), s(1, 240)));
        assertArrayEquals(s(1, 2, 10), top("type: 'Concat' concat_param { concat_dim: 2 }", s(1, 2, 4), s(1, 2, 6)));
        assertArrayEquals(s(1, 3, 4), top("type: 'Eltwise' eltwise_param { operation: MAX }", s(1, 3, 4), s(1, 3, 4)));

        List<int[]> sliced = ShapeInference.topShapes(layer("type: 'Slice' slice_param { slice_point: 2 slice_point: 7 }"
                + " top: 'a' top: 'b' top: 'c'"), List.of(s(1, 10, 3)));
        assertArrayEquals(s(1, 2, 3), sliced.get(0));
        assertArrayEquals(s(1, 5, 3), sliced.get(1));
        assertArrayEquals(s(1, 3, 3), sliced.get(2));
        List<int[]> even = ShapeInference.topShapes(layer("type: 'Slice' slice_param { axis: -1 } top: 'a' top: 'b'"),
                List.of(s(1, 10, 4)));
        assertArrayEquals(s(1, 10, 2), even.get(1));
        List<int[]> split = ShapeInference.topShapes(layer("type: 'Split' top: 'a' top: 'b' top: 'c'"),
                List.of(s(1, 10, 4)));
        assertEquals(3, split.size());
        assertArrayEquals(s(1, 10, 4), split.get(2));
    }

    @Test
    void reshapingLayers() {
        assertArrayEquals(s(1, 14400), top("type: 'Flatten'", s(1, 30, 40, 12)));
        assertArrayEquals(s(2, 3, 20), top("type: 'Flatten' flatten_param { axis: 2 }", s(2, 3, 4, 5)));
        assertArrayEquals(s(2, 12, 5), top("type: 'Flatten' flatten_param { axis: 1 end_axis: 2 }", s(2, 3, 4, 5)));
        // SSD's mbox_conf_reshape: 0 copies, -1 is inferred
        assertArrayEquals(s(1, 4420, 2), top("type: 'Reshape' reshape_param { shape { dim: 0 dim: -1 dim: 2 } }",
                s(1, 8840)));
        // Caffe's documented example: axis 1, num_axes 2 replaces dims 1..2
        assertArrayEquals(s(2, 6, 5), top("type: 'Reshape' reshape_param { shape { dim: -1 } axis: 1 num_axes: 2 }",
                s(2, 2, 3, 5)));
        assertArrayEquals(s(2, 3, 5, 1), top("type: 'Reshape' reshape_param { shape { dim: 1 } axis: -1 num_axes: 0 }",
                s(2, 3, 5)));
        assertThrows(ModelException.class, () -> top("type: 'Reshape' reshape_param { shape { dim: 7 dim: -1 } }",
                s(2, 3, 5)));
        assertArrayEquals(s(1, 30, 40, 12), top("type: 'Permute' permute_param { order: 0 order: 2 order: 3 order: 1 }",
                s(1, 12, 30, 40)));
        assertArrayEquals(s(5, 2, 3, 4), top("type: 'Permute' permute_param { order: 3 }", s(2, 3, 4, 5)));
        assertArrayEquals(s(1, 3, 10, 12), top("type: 'Crop' crop_param { axis: 2 offset: 1 offset: 2 }",
                s(1, 3, 16, 16), s(1, 8, 10, 12)));
        assertThrows(ModelException.class, () -> top("type: 'Crop' crop_param { offset: 7 }", s(1, 3, 16, 16),
                s(1, 3, 10, 12)));
        assertArrayEquals(s(2, 3, 12), top("type: 'Tile' tile_param { axis: -1 tiles: 3 }", s(2, 3, 4)));
        assertArrayEquals(s(2, 3), top("type: 'Reduction' reduction_param { axis: 2 }", s(2, 3, 4, 5)));
        assertArrayEquals(s(), top("type: 'Reduction'", s(2, 3, 4, 5)));
    }

    @Test
    void argMax() {
        assertArrayEquals(s(4, 1, 1), top("type: 'ArgMax'", s(4, 10)));
        assertArrayEquals(s(4, 2, 3, 1), top("type: 'ArgMax' argmax_param { out_max_val: true top_k: 3 }",
                s(4, 10, 5, 5)));
        assertArrayEquals(s(4, 2, 5, 5), top("type: 'ArgMax' argmax_param { axis: 1 top_k: 2 }", s(4, 10, 5, 5)));
    }

    /** Published SSD300 (VGG) prior-box sizes: conv4_3 38x38 with 4 priors, fc7 19x19 with 6. */
    @Test
    void priorBoxAndDetectionOutput() {
        assertArrayEquals(s(1, 2, 38 * 38 * 4 * 4), top("type: 'PriorBox' prior_box_param { min_size: 30 max_size: 60 "
                + "aspect_ratio: 2 flip: true }", s(1, 512, 38, 38), s(1, 3, 300, 300)));
        assertArrayEquals(s(1, 2, 8664), top("type: 'PriorBox' prior_box_param { min_size: 60 max_size: 111 "
                + "aspect_ratio: 2 aspect_ratio: 3 flip: true }", s(1, 1024, 19, 19), s(1, 3, 300, 300)));
        // no flip, a repeated ratio counted once: {1, 2} x 2 min sizes
        assertArrayEquals(s(1, 2, 4 * 4 * 4), top("type: 'PriorBox' prior_box_param { min_size: 8 min_size: 16 "
                + "aspect_ratio: 2 aspect_ratio: 2.0000001 flip: false }", s(1, 8, 2, 2), s(1, 3, 32, 32)));
        assertArrayEquals(s(1, 1, 200, 7), top("type: 'DetectionOutput' detection_output_param { num_classes: 21 "
                + "keep_top_k: 200 }", s(1, 34928), s(1, 183372), s(1, 2, 34928)));
    }

    @Test
    void input() {
        List<int[]> tops = ShapeInference.topShapes(layer("type: 'Input' top: 'a' top: 'b' input_param { shape { dim: 1 "
                + "dim: 3 } }"), List.of());
        assertEquals(2, tops.size());
        assertArrayEquals(s(1, 3), tops.get(1));
    }

    @Test
    void wrongBottomCountOrUnknownType() {
        ModelException e = assertThrows(ModelException.class, () -> top("type: 'Crop'", s(1, 3, 4, 4)));
        assertEquals("layer 'l': Crop takes 2 bottoms, the prototxt gives 1", e.getMessage());
        e = assertThrows(ModelException.class, () -> top("type: 'Frobnicate'", s(1, 3, 4, 4)));
        assertEquals("layer 'l': unknown layer type 'Frobnicate'", e.getMessage());
    }

    /** LeNet's published cost: 2.29 M multiply-adds (conv1 0.288 M, conv2 1.6 M, ip1 0.4 M, ip2 5 k). */
    @Test
    void lenetMultiplyAdds() {
        Net net = NetLoader.load(SharedData.Model.LENET.prototxt(), null);
        assertEquals(288_000, net.multiplyAddsPerImage(net.layer("conv1")));
        assertEquals(1_600_000, net.multiplyAddsPerImage(net.layer("conv2")));
        assertEquals(2_293_000, net.multiplyAddsPerImage());
    }
}
