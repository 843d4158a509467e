package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.Shapes;

/**
 * Caffe's Softmax along {@code axis}: {@code exp(x - max) / sum(exp(x - max))}, written out with reductions
 * (ND4J's softmax op normalises along the last axis whatever dimension it is given).
 */
final class Softmax implements LayerOp {

    private final String name;
    private final int axis;

    Softmax(Layer layer) {
        name = layer.name();
        axis = layer.param().getSoftmaxParam().getAxis();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        int a = Shapes.axis(name, "axis", axis, x.rank());
        INDArray e = Transforms.exp(x.sub(x.max(true, a)), false);
        return List.of(e.divi(e.sum(true, a)));
    }
}
