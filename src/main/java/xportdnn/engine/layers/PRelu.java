package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

/** Caffe's PReLU: {@code max(x, 0) + a[c] * min(x, 0)} with one learned slope per channel (or one shared). */
final class PRelu implements LayerOp {

    private final String name;
    private final boolean shared;
    private final float[] slopes;

    PRelu(Layer layer) {
        name = layer.name();
        shared = layer.param().getPreluParam().getChannelShared();
        Layers.requireWeights(layer, 1);
        slopes = layer.weights().get(0).data();
        if (shared && slopes.length != 1) {
            throw ModelException.inLayer(name, "channel_shared needs 1 slope, the blob holds " + slopes.length);
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        INDArray negative = Transforms.min(x, 0, true);
        if (shared) {
            negative.muli(slopes[0]);
        } else {
            long channels = x.rank() > 1 ? x.size(1) : 1;
            if (channels != slopes.length) {
                throw ModelException.inLayer(name, "input has " + channels + " channels, the blob holds " + slopes.length + " slopes");
            }
            negative.muli(Layers.perChannel(Tensors.of(slopes, slopes.length), x.rank()));
        }
        return List.of(negative.addi(Transforms.max(x, 0, true)));
    }
}
