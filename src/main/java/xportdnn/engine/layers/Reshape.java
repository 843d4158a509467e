package xportdnn.engine.layers;

import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.ReshapeParameter;

/**
 * Caffe's Reshape: the axes {@code [axis, axis + num_axes)} are replaced by the given dims, name 0 copies the
 * bottom's dim at that position and one -1 is inferred from the total count.
 */
final class Reshape extends ShapeView {

    private final String name;
    private final int axis;
    private final int numAxes;
    private final long[] dims;

    Reshape(Layer layer) {
        name = layer.name();
        ReshapeParameter p = layer.param().getReshapeParam();
        axis = p.getAxis();
        numAxes = p.getNumAxes();
        dims = p.getShape().getDimList().stream().mapToLong(Long::longValue).toArray();
        long inferred = java.util.Arrays.stream(dims).filter(d -> d == -1).count();
        if (inferred > 1 || java.util.Arrays.stream(dims).anyMatch(d -> d < -1) || numAxes < -1) {
            throw ModelException.inLayer(name, "shape may hold one -1 and otherwise dims >= 0; num_axes must be >= -1");
        }
    }

    @Override
    long[] topShape(long[] shape) {
        long values = Tensors.count(shape);
        // unlike other layers, a negative axis here counts so that -1 means "after the last axis"
        int start = axis >= 0 ? axis : shape.length + axis + 1;
        int end = numAxes == -1 ? shape.length : start + numAxes;
        if (start < 0 || start > shape.length || end > shape.length) {
            throw ModelException.inLayer(name, "axis " + axis + " and num_axes " + numAxes + " do not fit a " + shape.length + "-D input");
        }
        long[] top = new long[start + dims.length + shape.length - end];
        System.arraycopy(shape, 0, top, 0, start);
        System.arraycopy(shape, end, top, start + dims.length, shape.length - end);
        int unknown = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                if (start + i >= shape.length) {
                    throw ModelException.inLayer(name, "dim " + i + " is 0 but the input has no axis " + (start + i) + " to copy");
                }
                top[start + i] = shape[start + i];
            } else if (dims[i] == -1) {
                unknown = start + i;
                top[unknown] = 1;
            } else {
                top[start + i] = dims[i];
            }
        }
        long known = Tensors.count(top, 0, top.length);
        if (unknown >= 0 && known > 0) {
            top[unknown] = values / known;
        }
        if (Tensors.count(top, 0, top.length) != values) {
            throw ModelException.inLayer(name, "cannot reshape " + values + " values to " + java.util.Arrays.toString(top)
                    + " (with a batch of " + shape[0] + ", the shape must copy or infer the batch axis)");
        }
        return top;
    }
}
