package xportdnn.model;

import java.util.List;
import xportdnn.model.proto.Caffe.LayerParameter;

/**
 * One layer of a loaded net: its definition from the deploy prototxt (current {@code layer} format, no blobs),
 * its learned parameters from the caffemodel in Caffe's order (e.g. weights then bias), and the shapes of its
 * tops as shape inference found them.
 */
public record Layer(LayerParameter param, List<Blob> weights, List<int[]> topShapes) {

    public String name() {
        return param.getName();
    }

    public String type() {
        return param.getType();
    }

    public LayerType layerType() {
        return LayerType.of(param);
    }

    public List<String> bottoms() {
        return param.getBottomList();
    }

    public List<String> tops() {
        return param.getTopList();
    }

    /** True when the layer writes its output into its input blob (e.g. an in-place ReLU). */
    public boolean inPlace() {
        return param.getTopCount() == 1 && param.getBottomCount() >= 1 && param.getTop(0).equals(param.getBottom(0));
    }

    /** Whether it is a ReLU without a negative slope, the one CHaiDNN's device fuses into the layer before it. */
    public boolean plainRelu() {
        return layerType() == LayerType.RELU && param.getReluParam().getNegativeSlope() == 0f;
    }

    public long parameterCount() {
        long n = 0;
        for (Blob b : weights) {
            n += b.count();
        }
        return n;
    }
}
