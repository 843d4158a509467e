package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

/** SSD's Permute: reorders the axes; axes the order leaves out follow in their original order. */
final class Permute implements LayerOp {

    private final String name;
    private final List<Integer> order;
    private final Buffers buffers = new Buffers();

    Permute(Layer layer) {
        name = layer.name();
        order = layer.param().getPermuteParam().getOrderList();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        int rank = x.rank();
        List<Integer> full = new ArrayList<>();
        for (int a : order) {
            if (a >= rank || full.contains(a)) {
                throw ModelException.inLayer(name, "order " + order + " is not a permutation of the " + rank + " input axes");
            }
            full.add(a);
        }
        for (int a = 0; a < rank; a++) {
            if (!full.contains(a)) {
                full.add(a);
            }
        }
        INDArray permuted = x.permute(full.stream().mapToInt(Integer::intValue).toArray());
        return List.of(buffers.copy(0, permuted));
    }

    @Override
    public void close() {
        buffers.close();
    }
}
