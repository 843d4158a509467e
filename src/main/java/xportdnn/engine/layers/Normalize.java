package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.NormalizeParameter;

/**
 * SSD's Normalize (L2 normalisation): each image (across_spatial) or each pixel's channel vector is divided by
 * {@code sqrt(sum of squares + eps)} and multiplied by the learned scale (one value, or one per channel).
 */
final class Normalize extends InPlaceOp {

    private final String name;
    private final boolean acrossSpatial;
    private final double eps;
    private final INDArray scale;

    Normalize(Layer layer) {
        name = layer.name();
        NormalizeParameter p = layer.param().getNormParam();
        acrossSpatial = p.getAcrossSpatial();
        eps = p.getEps();
        Layers.requireWeights(layer, 1);
        float[] s = layer.weights().get(0).data();
        if (p.getChannelShared() != (s.length == 1)) {
            throw ModelException.inLayer(name, "channel_shared is " + p.getChannelShared() + " but the scale blob holds "
                    + s.length + " values");
        }
        scale = Tensors.of(s, 1, s.length, 1, 1);
    }

    @Override
    INDArray rewrite(INDArray y, List<INDArray> bottoms) {
        Layers.requireRank(name, y, 4);
        if (scale.length() != 1 && scale.length() != y.size(1)) {
            throw ModelException.inLayer(name, "input has " + y.size(1) + " channels, the scale blob " + scale.length());
        }
        int[] axes = acrossSpatial ? new int[] {1, 2, 3} : new int[] {1};
        INDArray norm = Transforms.sqrt(y.mul(y).sum(true, axes).addi(eps), false);
        return y.divi(norm).muli(scale);
    }
}
