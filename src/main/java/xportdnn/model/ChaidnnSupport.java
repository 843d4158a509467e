package xportdnn.model;

import xportdnn.model.proto.Caffe.LayerParameter;

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

    /** The rule per layer type is {@link LayerType}'s. */
    public static ChaidnnSupport of(LayerParameter layer) {
        return LayerType.of(layer).chaidnnSupport(layer);
    }

    /** The layer's type, with the setting that makes it unsupported when the type alone would be supported. */
    public static String describe(LayerParameter layer) {
        return LayerType.of(layer).describe(layer);
    }

    /** For an unsupported layer, what CHaiDNN runs instead or what to do; or "". */
    public static String hint(LayerParameter layer) {
        return LayerType.of(layer).hint(layer);
    }
}
