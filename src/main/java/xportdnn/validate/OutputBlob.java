package xportdnn.validate;

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
 * @param classes  the number of classes when the blob holds one score per class for each image
 *                 ({@link Net#classesIn}), else 0
 */
public record OutputBlob(String name, Layer producer, int[] shape, int classes) {

    /** {@code requested}, or by default the last of the net's outputs. */
    public static OutputBlob choose(Net net, String requested) {
        String name = requested != null ? requested : net.lastOutput();
        Layer producer = net.lastWriter(name);
        if (producer == null) {
            throw new ModelException("--blob: the net has no blob named '" + name + "' (its outputs: "
                    + String.join(", ", net.outputBlobs()) + ")");
        }
        return new OutputBlob(name, producer, net.shape(name), net.classesIn(name));
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
