package xportdnn.model;

import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;

/**
 * Where the CHaiDNN runtime runs a layer (spec/chaidnn-precision.md section 3): on the FPGA device, in software
 * on the host CPU, as the network input, or not at all.
 */
public enum ChaidnnSupport {
    DEVICE("device"),
    SOFTWARE("software"),
    INPUT("input"),
    UNSUPPORTED("UNSUPPORTED");

    private final String label;

    ChaidnnSupport(String label) {
        this.label = label;
    }

    /** How the inspect table shows it. */
    public String label() {
        return label;
    }

    public static ChaidnnSupport of(LayerParameter layer) {
        return switch (layer.getType()) {
            case "Input" -> INPUT;
            case "Convolution", "Deconvolution", "BatchNorm", "Scale", "Eltwise", "Permute", "Normalize" -> DEVICE;
            // The device pools max and average only; Caffe's STOCHASTIC pooling has no CHaiDNN kernel.
            case "Pooling" -> layer.getPoolingParam().getPool() == PoolMethod.STOCHASTIC ? UNSUPPORTED : DEVICE;
            case "InnerProduct", "Softmax", "Dropout", "Crop", "PriorBox", "DetectionOutput", "Concat", "Flatten",
                 "Reshape", "ArgMax", "Power", "Split" -> SOFTWARE;
            // CHaiDNN's ReLU is the plain one; a leaky ReLU (negative_slope != 0) is not supported.
            case "ReLU" -> layer.getReluParam().getNegativeSlope() == 0f ? SOFTWARE : UNSUPPORTED;
            default -> UNSUPPORTED;
        };
    }

    /** The layer's type, with the setting that makes it unsupported when the type alone would be supported. */
    public static String describe(LayerParameter layer) {
        return switch (layer.getType()) {
            case "ReLU" -> layer.getReluParam().getNegativeSlope() == 0f ? "ReLU"
                    : "ReLU negative_slope " + layer.getReluParam().getNegativeSlope();
            case "Pooling" -> layer.getPoolingParam().getPool() + " Pooling";
            default -> layer.getType();
        };
    }
}
