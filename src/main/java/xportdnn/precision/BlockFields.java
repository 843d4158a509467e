package xportdnn.precision;

import java.util.function.Supplier;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

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
}
