package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.ArgMaxParameter;

/**
 * Caffe's ArgMax: the indices of the top_k largest values (ties: the larger index first, as Caffe's pair
 * ordering). Without axis, over each image's flattened values, top {@code [N, 1 or 2, top_k]} (then padded to
 * at least 3 axes) holding the indices and, with out_max_val, the values after them. With axis, along that axis,
 * top = the bottom's shape with that axis replaced by top_k, holding values if out_max_val else indices.
 */
final class ArgMax implements LayerOp {

    private final String name;
    private final boolean outMaxVal;
    private final int topK;
    private final Integer axis;

    ArgMax(Layer layer) {
        name = layer.name();
        ArgMaxParameter p = layer.param().getArgmaxParam();
        outMaxVal = p.getOutMaxVal();
        topK = p.getTopK();
        axis = p.hasAxis() ? p.getAxis() : null;
        if (topK < 1) {
            throw ModelException.inLayer(name, "top_k must be at least 1");
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        long[] shape = x.shape();
        float[] data = Tensors.floats(x);
        int a = axis == null ? -1 : Shapes.axis(name, "axis", axis, shape.length);
        int dim = (int) (a < 0 ? Tensors.count(shape, 1, shape.length) : shape[a]);
        int stride = (int) (a < 0 ? 1 : Tensors.count(shape, a + 1, shape.length)); // distance between values along the axis
        int groups = data.length / dim;
        if (topK > dim) {
            throw ModelException.inLayer(name, "top_k " + topK + " exceeds the " + dim + " values to rank");
        }
        long[] top;
        if (a < 0) {
            top = new long[Math.max(shape.length, 3)];
            Arrays.fill(top, 1);
            top[0] = shape[0];
            top[1] = outMaxVal ? 2 : 1;
            top[2] = topK;
        } else {
            top = shape.clone();
            top[a] = topK;
        }
        float[] out = new float[(int) Tensors.count(top, 0, top.length)];
        Integer[] order = new Integer[dim];
        for (int g = 0; g < groups; g++) {
            int base = g / stride * dim * stride + g % stride;
            for (int j = 0; j < dim; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (p, q) -> {
                int byValue = Float.compare(data[base + q * stride], data[base + p * stride]);
                return byValue != 0 ? byValue : Integer.compare(q, p);
            });
            for (int j = 0; j < topK; j++) {
                float value = data[base + order[j] * stride];
                if (a >= 0) {
                    out[g / stride * topK * stride + j * stride + g % stride] = outMaxVal ? value : order[j];
                } else if (outMaxVal) {
                    out[2 * g * topK + j] = order[j];
                    out[2 * g * topK + topK + j] = value;
                } else {
                    out[g * topK + j] = order[j];
                }
            }
        }
        return List.of(Tensors.of(out, top));
    }
}
