package xportdnn.engine.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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
    /** Per bottom, the channels-last memory behind it (or null). */
    private final List<DerivedView> bottomStorage;
    private final DerivedView outputView = new DerivedView(Tensors::channelsFirstView);
    /** libnd4j's concat along the last axis: the channels of channels-last bottoms (large ones, on every thread). */
    private final NativeCall lastAxisConcat = new NativeCall(DynamicCustomOp.builder("concat").addIntegerArguments(3).build());

    Concat(Layer layer) {
        name = layer.name();
        ConcatParameter p = layer.param().getConcatParam();
        axis = p.hasConcatDim() ? p.getConcatDim() : p.getAxis();
        single = layer.bottoms().size() == 1;
        bottomStorage = DerivedView.each(layer.bottoms().size(), Tensors::channelsLastStorage);
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
        if (a == 1 && shape.length == 4) {
            INDArray[] storages = new INDArray[bottoms.size()];
            for (int i = 0; i < storages.length; i++) {
                storages[i] = bottomStorage.get(i).of(bottoms.get(i));
            }
            if (Arrays.stream(storages).allMatch(Objects::nonNull)) {
                return List.of(concatChannelsLast(storages, shape));
            }
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
    private INDArray concatChannelsLast(INDArray[] storages, long[] shape) {
        INDArray out = buffers.get(0, shape[0], shape[2], shape[3], shape[1]);
        if (out.length() <= NativeCall.ONE_THREAD_MAX_VALUES) {
            copyChannelRuns(storages, out);
        } else {
            lastAxisConcat.run(out, storages);
        }
        return outputView.of(out);
    }

    /**
     * The one-thread concat: per output position, each bottom's run of channels copied in bulk. libnd4j's concat
     * took about twice as long on one thread (SqueezeNet's batch-1 concats, 55 x 55 x (128 + 128): 125-137 against
     * 72-107 us; 13 x 13 x (256 + 256): 27 against 7-13 us; 2026-12-07, one process, load average 1).
     */
    private static void copyChannelRuns(INDArray[] storages, INDArray out) {
        FloatBuffer to = out.data().asNioFloat();
        int outChannels = Math.toIntExact(out.size(3));
        int positions = Math.toIntExact(out.length() / outChannels);
        int offset = 0;
        for (INDArray storage : storages) {
            FloatBuffer from = storage.data().asNioFloat();
            int channels = Math.toIntExact(storage.size(3));
            for (int p = 0; p < positions; p++) {
                to.put(p * outChannels + offset, from, p * channels, channels);
            }
            offset += channels;
        }
    }

    @Override
    public void close() {
        buffers.close();
    }
}
