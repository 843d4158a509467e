package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

/** Caffe's PReLU: {@code max(x, 0) + a[c] * min(x, 0)} with one learned slope per channel (or one shared). */
final class PRelu extends InPlaceOp {

    private final String name;
    private final boolean shared;
    private final INDArray slopes;

    PRelu(Layer layer) {
        name = layer.name();
        shared = layer.param().getPreluParam().getChannelShared();
        Layers.requireWeights(layer, 1);
        float[] a = layer.weights().get(0).data();
        if (shared && a.length != 1) {
            throw ModelException.inLayer(name, "channel_shared needs 1 slope, the blob holds " + a.length);
        }
        slopes = Tensors.of(a, a.length);
    }

    @Override
    INDArray rewrite(INDArray y, List<INDArray> bottoms) {
        long channels = y.rank() > 1 ? y.size(1) : 1;
        if (!shared && channels != slopes.length()) {
            throw ModelException.inLayer(name, "input has " + channels + " channels, the blob holds " + slopes.length()
                    + " slopes");
        }
        INDArray negative = Transforms.min(y, 0, true);
        if (shared) {
            negative.muli(slopes.getDouble(0));
        } else {
            negative.muli(Layers.perChannel(slopes, y.rank()));
        }
        return Transforms.max(y, 0, false).addi(negative);
    }
}
