package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.TileParameter;

/** Caffe's Tile: the bottom's axes from {@code axis} on, repeated {@code tiles} times along {@code axis}. */
final class Tile implements LayerOp {

    private final String name;
    private final int axis;
    private final int tiles;
    private final Buffers buffers = new Buffers();

    Tile(Layer layer) {
        name = layer.name();
        TileParameter p = layer.param().getTileParam();
        axis = p.getAxis();
        tiles = p.getTiles(); // positive: checked by the shape rule
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0); // dense (ChannelsFirstInputs)
        long[] shape = x.shape();
        int a = Shapes.axis(name, "tile_param.axis", axis, shape.length);
        long outer = Tensors.count(shape, 0, a);
        long inner = Tensors.count(shape, a, shape.length);
        long[] top = shape.clone();
        top[a] *= tiles;
        INDArray out = buffers.get(0, top);
        INDArray blocks = out.reshape('c', outer, tiles, inner);
        INDArray source = x.reshape('c', outer, inner);
        for (int t = 0; t < tiles; t++) {
            blocks.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all()).assign(source);
        }
        return List.of(out);
    }

    @Override
    public void close() {
        buffers.close();
    }
}
