package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.SliceParameter;

/** Caffe's Slice along {@code axis} (or legacy {@code slice_dim}) at the slice points, or into equal parts. */
final class Slice implements LayerOp {

    private final String name;
    private final int axis;
    private final List<Integer> points;
    private final int tops;
    private final Buffers buffers = new Buffers();

    Slice(Layer layer) {
        name = layer.name();
        SliceParameter p = layer.param().getSliceParam();
        axis = p.hasSliceDim() ? p.getSliceDim() : p.getAxis();
        points = p.getSlicePointList();
        tops = layer.tops().size();
        if (!points.isEmpty() && points.size() != tops - 1) {
            throw ModelException.inLayer(name, points.size() + " slice points for " + tops + " tops; need " + (tops - 1));
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        int a = Shapes.axis(name, "axis", axis, x.rank());
        long size = x.size(a);
        long[] bounds = new long[tops + 1];
        for (int i = 1; i < tops; i++) {
            bounds[i] = points.isEmpty() ? size / tops * i : points.get(i - 1);
        }
        bounds[tops] = size;
        if (points.isEmpty() && size % tops != 0) {
            throw ModelException.inLayer(name, "axis " + a + " of size " + size + " does not split into " + tops + " equal parts");
        }
        List<INDArray> out = new ArrayList<>(tops);
        for (int i = 0; i < tops; i++) {
            if (bounds[i + 1] <= bounds[i] || bounds[i + 1] > size) {
                throw ModelException.inLayer(name, "slice points must increase and stay below " + size);
            }
            INDArrayIndex[] index = NDArrayIndex.allFor(x);
            index[a] = NDArrayIndex.interval(bounds[i], bounds[i + 1]);
            out.add(buffers.copy(i, x.get(index)));
        }
        return out;
    }

    @Override
    public void close() {
        buffers.close();
    }
}
