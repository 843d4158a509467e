package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.model.Layer;

/** Caffe's Softmax along {@code axis}: {@code exp(x - max) / sum(exp(x - max))}. */
final class Softmax implements LayerOp {

    private final String where;
    private final int axis;

    Softmax(Layer layer) {
        where = Layers.describe(layer);
        axis = layer.param().getSoftmaxParam().getAxis();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = Tensors.dense(bottoms.get(0));
        return List.of(Nd4j.exec(new SoftMax(x, Tensors.axis(axis, x.rank(), where)))[0]);
    }
}
