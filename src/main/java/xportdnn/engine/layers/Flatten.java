package xportdnn.engine.layers;

import java.util.List;
import java.util.stream.LongStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.FlattenParameter;

/** Caffe's Flatten: axes {@code axis..end_axis} (inclusive) become one. */
final class Flatten implements LayerOp {

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
    public boolean topsShareMemory() {
        return true; // a view of the bottom
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        long[] shape = x.shape();
        int start = Shapes.axis(name, "axis", axis, shape.length);
        int end = Shapes.axis(name, "end_axis", endAxis, shape.length);
        if (end < start) {
            throw ModelException.inLayer(name, "end_axis " + end + " is before axis " + start);
        }
        long[] top = LongStream.concat(LongStream.concat(LongStream.of(shape).limit(start),
                LongStream.of(Tensors.count(shape, start, end + 1))), LongStream.of(shape).skip(end + 1L)).toArray();
        return List.of(Tensors.dense(x).reshape('c', top));
    }
}
