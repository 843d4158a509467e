package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;

/** Builds the op for a layer by its Caffe type, and holds the checks the ops share. */
public final class Layers {

    /** Every layer type the engine runs (Input is handled by the engine itself), by Caffe type name. */
    private static final Map<String, Function<Layer, LayerOp>> FACTORIES = new TreeMap<>(Map.ofEntries(
            Map.entry("Convolution", Convolution::new),
            Map.entry("Deconvolution", Deconvolution::new),
            Map.entry("InnerProduct", InnerProduct::new),
            Map.entry("Pooling", Pooling::new),
            Map.entry("ReLU", Activation::relu),
            Map.entry("PReLU", PRelu::new),
            Map.entry("Sigmoid", Activation::sigmoid),
            Map.entry("TanH", Activation::tanh),
            Map.entry("ELU", Activation::elu),
            Map.entry("Power", Activation::power),
            Map.entry("Dropout", Activation::identity),
            Map.entry("BatchNorm", BatchNorm::new),
            Map.entry("Scale", ScaleBias::scale),
            Map.entry("Bias", ScaleBias::bias),
            Map.entry("Eltwise", Eltwise::new),
            Map.entry("Concat", Concat::new),
            Map.entry("Slice", Slice::new),
            Map.entry("Split", Split::new),
            Map.entry("Flatten", Flatten::new),
            Map.entry("Reshape", Reshape::new),
            Map.entry("Permute", Permute::new),
            Map.entry("Softmax", Softmax::new),
            Map.entry("LRN", Lrn::new),
            Map.entry("Crop", Crop::new),
            Map.entry("Normalize", Normalize::new),
            Map.entry("PriorBox", PriorBox::new),
            Map.entry("DetectionOutput", DetectionOutput::new),
            Map.entry("ArgMax", ArgMax::new)));

    private Layers() {
    }

    /** The layer types {@link #create} accepts. */
    public static Set<String> supportedTypes() {
        return FACTORIES.keySet();
    }

    /**
     * The op computing {@code layer}, with its weights prepared.
     *
     * @throws ModelException naming the layer when its type is unsupported or its parameters or weights are invalid
     */
    public static LayerOp create(Layer layer) {
        Function<Layer, LayerOp> factory = FACTORIES.get(layer.type());
        if (factory == null) {
            throw error(describe(layer), "unsupported layer type (supported: " + String.join(", ", supportedTypes()) + ")");
        }
        try {
            return factory.apply(layer);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw error(describe(layer), e.getMessage());
        }
    }

    /** How messages name a layer: {@code layer 'conv1' (Convolution)}. */
    public static String describe(Layer layer) {
        return "layer '" + layer.name() + "' (" + layer.type() + ")";
    }

    static ModelException error(String where, String message) {
        return new ModelException(where + ": " + message);
    }

    static void requireWeights(Layer layer, int count) {
        if (layer.weights().size() < count) {
            throw error(describe(layer), "needs " + count + " weight blob(s), the caffemodel has " + layer.weights().size());
        }
    }

    /** Weight blob {@code index}, checked to hold {@code count} values. */
    static Blob weight(Layer layer, int index, long count) {
        Blob b = layer.weights().get(index);
        if (b.count() != count) {
            throw error(describe(layer), "weight blob " + index + " holds " + b.count() + " values, expected " + count);
        }
        return b;
    }

    static void requireRank(String where, INDArray x, int rank) {
        if (x.rank() != rank) {
            throw error(where, "expects a " + rank + "-D input, got " + Arrays.toString(x.shape()));
        }
    }

    /** A {@code [C]} vector shaped {@code [1, C, 1, ...]} to broadcast over axis 1 of a rank-{@code rank} array. */
    static INDArray perChannel(INDArray values, int rank) {
        long[] shape = new long[Math.max(rank, 2)];
        Arrays.fill(shape, 1);
        shape[1] = values.length();
        return values.reshape('c', shape);
    }

    static int[] allAxesBut(int rank, int kept) {
        return IntStream.range(0, rank).filter(a -> a != kept).toArray();
    }
}
