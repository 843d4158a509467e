package xportdnn.engine.layers;

import java.util.stream.LongStream;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.FlattenParameter;

/** Caffe's Flatten: axes {@code axis..end_axis} (inclusive) become one. */
final class Flatten extends ShapeView {

    private final String name;
    private final int axis;
    private final int endAxis;

    Flatten(Layer layer) {
        name = layer.name();
        FlattenParameter p = layer.param().getFlattenParam();
        axis = p.getAxis();
        endAxis = p.getEndAxis();
    }

    @Override
    long[] topShape(long[] shape) {
        int start = Shapes.axis(name, "axis", axis, shape.length);
        int end = Shapes.axis(name, "end_axis", endAxis, shape.length);
        if (end < start) {
            throw ModelException.inLayer(name, "end_axis " + end + " is before axis " + start);
        }
        return LongStream.concat(LongStream.concat(LongStream.of(shape).limit(start),
                LongStream.of(Tensors.count(shape, start, end + 1))), LongStream.of(shape).skip(end + 1L)).toArray();
    }
}
