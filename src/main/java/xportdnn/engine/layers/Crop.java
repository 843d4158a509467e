package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.CropParameter;

/**
 * Caffe's Crop: the first bottom cut to the second bottom's size on every axis from {@code axis} on, starting at
 * the offsets (none: 0; one: the same for every cropped axis; else one per cropped axis).
 */
final class Crop implements LayerOp {

    private final String name;
    private final int axis;
    private final List<Integer> offsets;
    private final Buffers buffers = new Buffers();

    Crop(Layer layer) {
        name = layer.name();
        CropParameter p = layer.param().getCropParam();
        axis = p.getAxis();
        offsets = p.getOffsetList();
        if (layer.bottoms().size() != 2) {
            throw ModelException.inLayer(name, "needs 2 bottoms (the data and the blob giving the size)");
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        INDArray like = bottoms.get(1);
        int rank = x.rank();
        int start = Shapes.axis(name, "axis", axis, rank);
        if (like.rank() != rank) {
            throw ModelException.inLayer(name, "bottoms have different ranks " + rank + " and " + like.rank());
        }
        if (offsets.size() > 1 && offsets.size() != rank - start) {
            throw ModelException.inLayer(name, offsets.size() + " offsets for " + (rank - start) + " cropped axes");
        }
        INDArrayIndex[] index = NDArrayIndex.allFor(x);
        for (int a = start; a < rank; a++) {
            long offset = offsets.isEmpty() ? 0 : offsets.get(offsets.size() == 1 ? 0 : a - start);
            long size = like.size(a);
            if (offset + size > x.size(a)) {
                throw ModelException.inLayer(name, "axis " + a + ": offset " + offset + " + size " + size + " exceeds " + x.size(a));
            }
            index[a] = NDArrayIndex.interval(offset, offset + size);
        }
        return List.of(buffers.copy(0, x.get(index)));
    }

    @Override
    public void close() {
        buffers.close();
    }
}
