package xportdnn.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import xportdnn.model.proto.Caffe.LayerParameter;

/**
 * Layer types of popular Caffe forks that Caffe itself does not have, and Caffe's training-only layers, each with what computes it in Caffe's own
 * layers (only where that is exactly the same computation) or what to do instead; and, for any other unknown type,
 * the Caffe types whose names are close (Caffe's type names are case-sensitive: "Relu" is not "ReLU").
 */
final class ForkLayerTypes {

    private static final Map<String, BiFunction<LayerParameter, List<int[]>, String>> ADVICE = Map.ofEntries(
            Map.entry("ConvolutionDepthwise", ForkLayerTypes::depthwise),
            Map.entry("DepthwiseConvolution", ForkLayerTypes::depthwise),
            Map.entry("ReLU6", (l, b) -> "min(max(x, 0), 6), a fork's layer (MobileNet v2 ports): Caffe's Clip with"
                    + " clip_param { min: 0 max: 6 } computes it (CHaiDNN does not run Clip); a plain ReLU does not stop"
                    + " at 6, so it would change the net's outputs"),
            Map.entry("Swish", (l, b) -> "x * sigmoid(x), a fork's layer: Caffe's Sigmoid and an Eltwise PROD of its output"
                    + " with its input compute it for beta 1 (CHaiDNN runs neither)"),
            Map.entry("HardSwish", (l, b) -> "x * min(max(x + 3, 0), 6) / 6, a fork's layer (MobileNet v3 ports): Caffe's"
                    + " Power (scale: 0.1666667 shift: 0.5), Clip (min: 0 max: 1) and an Eltwise PROD with the input"
                    + " compute it (CHaiDNN runs none of them)"),
            Map.entry("Mish", (l, b) -> "x * tanh(ln(1 + e^x)), a fork's layer (YOLOv4 ports): Caffe's BNLL (ln(1 + e^x)),"
                    + " TanH and an Eltwise PROD with the input compute it (CHaiDNN runs none of them)"),
            Map.entry("Upsample", ForkLayerTypes::upsample),
            Map.entry("Interp", (l, b) -> "bilinear resizing of a fork (DeepLab, PSPNet ports): Caffe has no layer that"
                    + " resizes with Interp's alignment of the corners; a Deconvolution with weight_filler bilinear"
                    + " upsamples by a whole factor but aligns pixels otherwise, so its outputs differ"),
            Map.entry("ShuffleChannel", ForkLayerTypes::shuffle),
            Map.entry("Axpy", (l, b) -> "a * x + y with a per-channel a (N x C x 1 x 1), a fork's layer (SENet ports):"
                    + " Caffe computes it as a Flatten of a to N x C, a Scale with axis: 0 taking that as its second"
                    + " bottom, and an Eltwise SUM with y"),
            Map.entry("Region", ForkLayerTypes::detection),
            Map.entry("Yolo", ForkLayerTypes::detection),
            Map.entry("Reorg", (l, b) -> "YOLO v2's rearrangement of pixels into channels, a fork's layer: Caffe has no"
                    + " such layer; a Convolution with kernel_size and stride equal to reorg's stride and weights of"
                    + " one 1 each (one output channel per input channel and offset) does the same moves"),
            Map.entry("ROIPooling", (l, b) -> "Fast/Faster R-CNN's pooling of region proposals, a fork's layer: Caffe and"
                    + " CHaiDNN have no such layer; cut the net before it and run the rest on the host"),
            Map.entry("Python", (l, b) -> "a layer written in Python" + (l.hasPythonParam() ? " (module '"
                    + l.getPythonParam().getModule() + "', layer '" + l.getPythonParam().getLayer() + "')" : "")
                    + ", which only pycaffe can run: cut the net before it, or write it with Caffe's layers"));

    /** What a Loss or Accuracy layer left in a deploy prototxt is, and what to do with it. */
    static final String TRAINING = "a training layer, which compares the net's outputs with labels that a deployed net"
            + " is not given: delete it from the deploy prototxt, or keep it to training with include { phase: TRAIN }";

    private ForkLayerTypes() {
    }

    /** Caffe's layers that only training runs: the losses and Accuracy. */
    static boolean isTraining(String type) {
        return type.equals("Accuracy") || type.endsWith("Loss");
    }

    /**
     * "unknown layer type 'T'" and, when something is known about T, what it is and what computes it;
     * {@code bottoms} are the layer's input shapes, empty when not known.
     */
    static String unknownType(LayerParameter layer, List<int[]> bottoms) {
        String type = layer.getType();
        BiFunction<LayerParameter, List<int[]>, String> advice = ADVICE.get(type);
        String known = advice != null ? ": " + advice.apply(layer, bottoms)
                : isTraining(type) ? ": " + TRAINING
                : type.endsWith("Data") ? " (a training data layer: a deploy prototxt starts with an Input layer or"
                        + " 'input:' instead)"
                : CloseNames.suggestion(type, Arrays.stream(LayerType.values()).filter(t -> t != LayerType.UNKNOWN)
                        .map(LayerType::typeName).toList());
        return "unknown layer type '" + type + "'" + known;
    }

    /**
     * Both forks' depthwise layers filter each input channel alone, with weights of shape C x 1 x kh x kw
     * (ConvolutionDepthwise ignores num_output): Caffe's Convolution with num_output and group both C.
     */
    private static String depthwise(LayerParameter layer, List<int[]> bottoms) {
        String c = !bottoms.isEmpty() && bottoms.get(0).length > 1 ? String.valueOf(bottoms.get(0)[1])
                : "its input's channels";
        return "a depthwise convolution of a fork (MobileNet ports): Caffe's Convolution with num_output and group"
                + " both equal to its input's channels, which CHaiDNN runs, computes it with weights of the same shape"
                + " (channels x 1 x kh x kw); write type: \"Convolution\", num_output: " + c + " and group: " + c
                + " in its convolution_param";
    }

    private static String upsample(LayerParameter layer, List<int[]> bottoms) {
        if (layer.getBottomCount() > 1) {
            return "SegNet's unpooling by the indices of an earlier max pooling, a fork's layer: Caffe and CHaiDNN"
                    + " have no such layer";
        }
        return "nearest-neighbour upsampling, a fork's layer (YOLOv3 ports): Caffe's Deconvolution with group and"
                + " num_output equal to the channels, kernel_size and stride equal to the scale, bias_term: false and"
                + " every weight 1 computes it exactly";
    }

    private static String shuffle(LayerParameter layer, List<int[]> bottoms) {
        return "ShuffleNet's channel shuffle, a fork's layer: Caffe computes it as a Reshape to N x g x C/g x H*W"
                + " (g its groups), a Permute with order 0, 2, 1, 3 and a Reshape back to N x C x H x W";
    }

    private static String detection(LayerParameter layer, List<int[]> bottoms) {
        return "YOLO's decoding of boxes, a fork's layer: Caffe and CHaiDNN have no such layer; cut the net before"
                + " it (after the last convolution) and decode the boxes on the host";
    }
}
