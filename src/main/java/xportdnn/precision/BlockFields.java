package xportdnn.precision;

import java.util.function.Supplier;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/** Checks the schemes share when they read a block: required fields, and numbers a format rejects. */
final class BlockFields {

    private BlockFields() {
    }

    /** A format built from a block's numbers, with a bad number reported against the layer. */
    static NumberFormat checked(Layer layer, Supplier<NumberFormat> format) {
        try {
            return format.get();
        } catch (IllegalArgumentException e) {
            throw ModelException.inLayer(layer.name(), "precision_param: " + e.getMessage());
        }
    }

    /** Throws unless the block sets {@code field}. */
    static void require(Layer layer, boolean present, String field) {
        if (!present) {
            throw ModelException.inLayer(layer.name(), "precision_param has no " + field
                    + " (the runtime would fall back to a default: a bug in the file)");
        }
    }

    /**
     * A bitwidth and fractional length of a block in DynamicFixed's layout (which F8Net blocks use too), both
     * required: {@code bw/fl_layer_in}, {@code bw/fl_layer_out} or {@code bw/fl_params}.
     */
    record FixedPoint(int bw, int fl) {

        static FixedPoint input(Layer layer, PrecisionParameter p) {
            require(layer, p.hasBwLayerIn(), "bw_layer_in");
            require(layer, p.hasFlLayerIn(), "fl_layer_in");
            return new FixedPoint(p.getBwLayerIn(), p.getFlLayerIn());
        }

        static FixedPoint output(Layer layer, PrecisionParameter p) {
            require(layer, p.hasBwLayerOut(), "bw_layer_out");
            require(layer, p.hasFlLayerOut(), "fl_layer_out");
            return new FixedPoint(p.getBwLayerOut(), p.getFlLayerOut());
        }

        static FixedPoint params(Layer layer, PrecisionParameter p) {
            require(layer, p.hasBwParams(), "bw_params");
            require(layer, p.hasFlParams(), "fl_params");
            return new FixedPoint(p.getBwParams(), p.getFlParams());
        }
    }
}
