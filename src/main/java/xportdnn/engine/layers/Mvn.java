package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.MVNParameter;

/**
 * Caffe's MVN: per image and channel (or per image, across_channels) the mean is subtracted and, with
 * normalize_variance, the result divided by {@code sqrt(E((x - mean)^2)) + eps} (eps added to the standard
 * deviation, as Caffe's MVNLayer does, not to the variance).
 */
final class Mvn extends InPlaceOp {

    private final String name;
    private final boolean acrossChannels;
    private final boolean normalizeVariance;
    private final double eps;

    Mvn(Layer layer) {
        name = layer.name();
        MVNParameter p = layer.param().getMvnParam();
        acrossChannels = p.getAcrossChannels();
        normalizeVariance = p.getNormalizeVariance();
        eps = p.getEps();
    }

    @Override
    INDArray rewrite(INDArray y, List<INDArray> bottoms) {
        if (y.rank() < 2) {
            throw ModelException.inLayer(name, "needs an input with a channel axis, got " + y.rank() + "-D");
        }
        long groups = acrossChannels ? y.size(0) : y.size(0) * y.size(1);
        INDArray rows = y.reshape('c', groups, y.length() / groups); // a view of y's memory
        rows.subiColumnVector(rows.mean(1));
        if (normalizeVariance) {
            INDArray std = Transforms.sqrt(rows.mul(rows).mean(1), false).addi(eps);
            rows.diviColumnVector(std);
        }
        return y;
    }
}
