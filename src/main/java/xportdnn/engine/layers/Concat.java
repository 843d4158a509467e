package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.model.Layer;
import xportdnn.model.proto.Caffe.ConcatParameter;

/** Caffe's Concat along {@code axis} (or the legacy {@code concat_dim}). */
final class Concat implements LayerOp {

    private final String name;
    private final int axis;

    Concat(Layer layer) {
        name = layer.name();
        ConcatParameter p = layer.param().getConcatParam();
        axis = p.hasConcatDim() ? p.getConcatDim() : p.getAxis();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        if (bottoms.size() == 1) {
            return List.of(bottoms.get(0));
        }
        int a = Tensors.axis(axis, bottoms.get(0).rank(), name);
        INDArray[] parts = new INDArray[bottoms.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = Tensors.dense(bottoms.get(i));
        }
        return List.of(Nd4j.concat(a, parts));
    }
}
