package xportdnn.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A deploy net ready for the rest of the pipeline: the definition upgraded to the current format (V1 layers
 * converted, {@code input:} declarations turned into an Input layer), the layers in execution order with their
 * weights, and the shape of every blob.
 *
 * @param definition the upgraded NetParameter without weights: what the exporters re-serialize
 * @param layers     the layers in prototxt order, each with its weights and top shapes
 * @param blobShapes the shape of every blob by name (in-place layers keep the shape of the blob they rewrite)
 */
public record Net(NetParameter definition, List<Layer> layers, Map<String, int[]> blobShapes) {

    public Net {
        layers = List.copyOf(layers);
        blobShapes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobShapes));
    }

    public String name() {
        return definition.getName();
    }

    public Layer layer(String name) {
        for (Layer l : layers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no layer named " + name);
    }

    public int[] shape(String blob) {
        int[] s = blobShapes.get(blob);
        if (s == null) {
            throw new IllegalArgumentException("no blob named " + blob);
        }
        return s;
    }
}
