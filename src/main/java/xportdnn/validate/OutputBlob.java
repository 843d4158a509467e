package xportdnn.validate;

import java.util.Arrays;
import java.util.List;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;

/**
 * The blob {@code infer} reports and {@code validate} scores: the one the user named, or the net's last output.
 *
 * @param name     the blob
 * @param producer the last layer that writes it (its value after the forward pass)
 * @param shape    its declared shape, batch first
 */
public record OutputBlob(String name, Layer producer, int[] shape) {

    /** {@code requested}, or by default the last of the net's outputs. */
    public static OutputBlob choose(Net net, String requested) {
        List<String> outputs = net.outputBlobs();
        String name = requested != null ? requested : outputs.get(outputs.size() - 1);
        Layer producer = null;
        for (Layer layer : net.layers()) {
            if (layer.tops().contains(name)) {
                producer = layer;
            }
        }
        if (producer == null) {
            throw new ModelException("--blob: the net has no blob named '" + name + "' (its outputs: "
                    + String.join(", ", outputs) + ")");
        }
        return new OutputBlob(name, producer, net.shape(name));
    }

    /**
     * The number of classes when the blob holds one score per class for each image ({@code N x K}, or
     * {@code N x K x 1 x 1}, K > 1), else 0.
     */
    public int classes() {
        if (isDetection()) {
            return 0;
        }
        int[] perImage = Arrays.copyOfRange(shape, 1, shape.length);
        long count = Blob.count(perImage);
        int largest = Arrays.stream(perImage).max().orElse(1);
        return count > 1 && count == largest ? largest : 0;
    }

    /** Whether the blob is an SSD DetectionOutput: rows of [image, label, confidence, xmin, ymin, xmax, ymax]. */
    public boolean isDetection() {
        return producer.layerType() == LayerType.DETECTION_OUTPUT;
    }

    /** The shape with the batch size of the run. */
    public int[] shapeForBatch(int batch) {
        int[] s = shape.clone();
        s[0] = batch;
        return s;
    }

    public String describe() {
        return "'" + name + "'";
    }
}
