package xportdnn.model;

import java.util.Arrays;
import java.util.HashMap;
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

    /** The net's name, or {@code fallback} (its file's name) when its prototxt gives none, for a report's title. */
    public String nameOr(String fallback) {
        return definition.getName().isBlank() ? fallback : definition.getName();
    }

    public Layer layer(String name) {
        for (Layer l : layers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no layer named " + name);
    }

    /**
     * Every layer's weights by layer name (layers without weights too), for {@link NetLoader#buildSharing}
     * to give another definition of the net the same arrays.
     */
    public Map<String, List<Blob>> weights() {
        Map<String, List<Blob>> byName = new LinkedHashMap<>();
        layers.forEach(l -> byName.put(l.name(), l.weights()));
        return byName;
    }

    /** The shapes of a layer's bottoms (an in-place layer's bottom has the shape of its top). */
    public List<int[]> bottomShapes(Layer layer) {
        return layer.bottoms().stream().map(this::shape).toList();
    }

    /**
     * The parameter blob shapes the layer's definition implies: the shapes of its weights when a caffemodel was
     * loaded (they were checked to agree), available without one too.
     */
    public List<int[]> parameterShapes(Layer layer) {
        return ParameterShapes.of(layer.param(), bottomShapes(layer));
    }

    /** Learned values of one layer, counted from its definition (every blob, e.g. BatchNorm's 3). */
    public long parameterCount(Layer layer) {
        return parameterShapes(layer).stream().mapToLong(Blob::count).sum();
    }

    public long parameterCount() {
        return layers.stream().mapToLong(this::parameterCount).sum();
    }

    /** See {@link MultiplyAdds} for what is counted. */
    public long multiplyAddsPerImage(Layer layer) {
        return MultiplyAdds.perImage(layer.param(), bottomShapes(layer), layer.topShapes());
    }

    public long multiplyAddsPerImage() {
        return layers.stream().mapToLong(this::multiplyAddsPerImage).sum();
    }

    /** The blobs the net's Input layers write (an {@code input:} declaration is one), in order. */
    public List<String> inputBlobs() {
        return layers.stream().filter(l -> l.layerType() == LayerType.INPUT).flatMap(l -> l.tops().stream()).toList();
    }

    /**
     * The net's outputs: the blobs no layer reads after their last write (an in-place layer reads and writes at
     * once), in the order of that write.
     */
    public List<String> outputBlobs() {
        Map<String, Integer> lastWrite = new LinkedHashMap<>();
        Map<String, Integer> lastRead = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (String b : layers.get(i).bottoms()) {
                lastRead.put(b, i);
            }
            for (String t : layers.get(i).tops()) {
                lastWrite.put(t, i);
            }
        }
        return lastWrite.entrySet().stream()
                .filter(e -> lastRead.getOrDefault(e.getKey(), -1) <= e.getValue())
                .sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The last of {@link #outputBlobs}: the blob a classifier's scores are read from by default. */
    public String lastOutput() {
        List<String> outputs = outputBlobs();
        return outputs.get(outputs.size() - 1);
    }

    /** The last layer that writes {@code blob} (its value after the forward pass), or null if none does. */
    public Layer lastWriter(String blob) {
        Layer writer = null;
        for (Layer layer : layers) {
            if (layer.tops().contains(blob)) {
                writer = layer;
            }
        }
        return writer;
    }

    /**
     * The number of classes when {@code blob} holds one score per class for each image ({@code N x K}, or
     * {@code N x K x 1 x 1}, K > 1) and is not an SSD DetectionOutput's rows, else 0.
     */
    public int classesIn(String blob) {
        Layer writer = lastWriter(blob);
        if (writer == null || writer.layerType() == LayerType.DETECTION_OUTPUT) {
            return 0;
        }
        int[] shape = shape(blob);
        int[] perImage = Arrays.copyOfRange(shape, 1, shape.length);
        long count = Blob.count(perImage);
        int largest = Arrays.stream(perImage).max().orElse(1);
        return count > 1 && count == largest ? largest : 0;
    }

    public int[] shape(String blob) {
        int[] s = blobShapes.get(blob);
        if (s == null) {
            throw new IllegalArgumentException("no blob named " + blob);
        }
        return s;
    }
}
