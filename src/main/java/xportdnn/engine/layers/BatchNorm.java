package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.BatchNormParameter;

/**
 * Caffe's BatchNorm: {@code (x - mean[c]) / sqrt(var[c] + eps)}. With the stored statistics (the TEST-phase
 * default) the blobs are mean, variance and a moving-average scale factor s; the true statistics are the stored
 * ones divided by s (all zero when s is 0). With {@code use_global_stats: false} the batch's own per-channel
 * statistics are used, as Caffe does.
 */
final class BatchNorm extends InPlaceOp {

    private final String name;
    private final double eps;
    /** {@code [C]} mean and standard deviation {@code sqrt(var + eps)}; null when batch statistics are used. */
    private final INDArray mean;
    private final INDArray std;

    BatchNorm(Layer layer) {
        name = layer.name();
        BatchNormParameter p = layer.param().getBatchNormParam();
        eps = p.getEps();
        boolean global = !p.hasUseGlobalStats() || p.getUseGlobalStats();
        if (!global) {
            mean = null;
            std = null;
            return;
        }
        Layers.requireWeights(layer, 3);
        float[] storedMean = layer.weights().get(0).data();
        float[] storedVar = Layers.weight(layer, 1, storedMean.length).data();
        float s = Layers.weight(layer, 2, 1).data()[0];
        float factor = s == 0 ? 0 : 1 / s;
        int c = storedMean.length;
        mean = Tensors.of(storedMean, c).muli(factor);
        std = Transforms.sqrt(Tensors.of(storedVar, c).muli(factor).addi(eps), false);
    }

    @Override
    INDArray rewrite(INDArray y, List<INDArray> bottoms) {
        long channels = y.rank() > 1 ? y.size(1) : 1;
        INDArray m = mean;
        INDArray sd = std;
        if (m == null) {
            int[] reduce = Layers.allAxesBut(y.rank(), 1);
            m = y.mean(reduce);
            INDArray centred = y.sub(Layers.perChannel(m, y.rank()));
            sd = Transforms.sqrt(centred.muli(centred).mean(reduce).addi(eps), false);
        } else if (channels != m.length()) {
            throw ModelException.inLayer(name, "input has " + channels + " channels, the statistics have " + m.length());
        }
        return y.subi(Layers.perChannel(m, y.rank())).divi(Layers.perChannel(sd, y.rank()));
    }
}
