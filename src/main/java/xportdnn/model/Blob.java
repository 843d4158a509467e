package xportdnn.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A dense float32 array in row-major (C) order with its shape: a layer's learned parameter, or any
 * other tensor the pipeline passes around. The data array is shared, not copied.
 */
public record Blob(int[] shape, float[] data) implements Serializable {

    public Blob {
        if (count(shape) != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + count(shape) + " values, data has " + data.length);
        }
    }

    /** Number of values a shape holds (1 for a scalar shape {}), saturating as {@link Shapes#count} does. */
    public static long count(int[] shape) {
        return Shapes.count(shape, 0, shape.length);
    }

    public int count() {
        return data.length;
    }

    /** The shape as Caffe prints it, e.g. {@code 64x1x5x5}. */
    public static String describe(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return shape.length == 0 ? "scalar" : sb.toString();
    }

    @Override
    public String toString() {
        return "Blob(" + describe(shape) + ")";
    }
}
