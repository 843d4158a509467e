package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.ConcatParameter;

/** Caffe's Concat along {@code axis} (or the legacy {@code concat_dim}). */
final class Concat implements LayerOp {

    private final String name;
    private final int axis;
    private final boolean single;
    private final Buffers buffers = new Buffers();
    /** libnd4j's concat along the last axis: the channels of channels-last bottoms. */
    private final NativeCall lastAxisConcat = new NativeCall(DynamicCustomOp.builder("concat").addIntegerArguments(3).build());

    Concat(Layer layer) {
        name = layer.name();
        ConcatParameter p = layer.param().getConcatParam();
        axis = p.hasConcatDim() ? p.getConcatDim() : p.getAxis();
        single = layer.bottoms().size() == 1;
    }

    @Override
    public boolean topsShareMemory() {
        return single; // one bottom passes through
    }

    @Override
    public boolean takesChannelsLast() {
        return true;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        if (single) {
            return List.of(bottoms.get(0));
        }
        INDArray first = bottoms.get(0);
        int a = Shapes.axis(name, "axis", axis, first.rank());
        long[] shape = first.shape().clone(); // ND4J hands out its own shape array
        shape[a] = 0;
        for (INDArray b : bottoms) {
            if (b.rank() != shape.length) {
                throw ModelException.inLayer(name, "bottoms have different ranks");
            }
            for (int i = 0; i < shape.length; i++) {
                if (i != a && b.size(i) != shape[i]) {
                    throw ModelException.inLayer(name, "bottoms differ in size on axis " + i + " (concatenating on " + a + ")");
                }
            }
            shape[a] += b.size(a);
        }
        if (a == 1 && shape.length == 4 && bottoms.stream().allMatch(b -> Tensors.channelsLastStorage(b) != null)) {
            return List.of(concatChannelsLast(bottoms, shape));
        }
        INDArray out = buffers.get(0, shape);
        long offset = 0;
        for (INDArray b : bottoms) {
            INDArrayIndex[] index = NDArrayIndex.allFor(out);
            index[a] = NDArrayIndex.interval(offset, offset + b.size(a));
            out.get(index).assign(b);
            offset += b.size(a);
        }
        return List.of(out);
    }

    /** Channel concatenation of channels-last bottoms along their last axis, kept channels-last. */
    private INDArray concatChannelsLast(List<INDArray> bottoms, long[] shape) {
        INDArray out = buffers.get(0, shape[0], shape[2], shape[3], shape[1]);
        lastAxisConcat.run(out.length(), NativeCall.ONE_THREAD_MAX_VALUES, out,
                bottoms.stream().map(Tensors::channelsLastStorage).toArray(INDArray[]::new));
        return Tensors.channelsFirstView(out);
    }
}
