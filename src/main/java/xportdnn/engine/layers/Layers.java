package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Blob;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;

/** Builds the op for a layer by its Caffe type, and holds the checks the ops share. */
public final class Layers {

    /** Makes the op of one layer from its definition, weights and the shapes of its bottoms. */
    @FunctionalInterface
    private interface Factory {
        LayerOp create(Layer layer, List<int[]> bottomShapes);

        static Factory of(Function<Layer, LayerOp> shapeless) {
            return (layer, shapes) -> shapeless.apply(layer);
        }
    }

    /** Every layer type the engine runs (Input is handled by the engine itself), by Caffe type name. */
    private static final Set<String> SUPPORTED = Collections.unmodifiableSet(new TreeSet<>(Arrays.stream(
            LayerType.values()).filter(t -> factory(t) != null).map(LayerType::typeName).toList()));

    private Layers() {
    }

    /** The layer types {@link #create} accepts. */
    public static Set<String> supportedTypes() {
        return SUPPORTED;
    }

    /** The op maker of a layer type; null for the types the engine does not run. */
    private static Factory factory(LayerType type) {
        return switch (type) {
            case CONVOLUTION -> (layer, shapes) -> DepthwiseConvolution.suits(layer, shapes)
                    ? new DepthwiseConvolution(layer, shapes) : new Convolution(layer, shapes);
            case DECONVOLUTION -> Deconvolution::new;
            case POOLING -> Pooling::new;
            case INNER_PRODUCT -> Factory.of(InnerProduct::new);
            case RELU -> Factory.of(Activation::relu);
            case PRELU -> Factory.of(PRelu::new);
            case SIGMOID -> Factory.of(Activation::sigmoid);
            case TANH -> Factory.of(Activation::tanh);
            case ELU -> Factory.of(Activation::elu);
            case ABSVAL -> Factory.of(Activation::absVal);
            case BNLL -> Factory.of(Activation::bnll);
            case EXP -> Factory.of(Activation::exp);
            case LOG -> Factory.of(Activation::log);
            case THRESHOLD -> Factory.of(Activation::threshold);
            case CLIP -> Factory.of(Activation::clip);
            case POWER -> Factory.of(Activation::power);
            case DROPOUT -> Factory.of(Activation::identity);
            case BATCH_NORM -> Factory.of(BatchNorm::new);
            case SCALE -> Factory.of(ScaleBias::scale);
            case BIAS -> Factory.of(ScaleBias::bias);
            case ELTWISE -> Factory.of(Eltwise::new);
            case CONCAT -> Factory.of(Concat::new);
            case SLICE -> Factory.of(Slice::new);
            case SPLIT -> Factory.of(Split::new);
            case FLATTEN -> Factory.of(Flatten::new);
            case RESHAPE -> Factory.of(Reshape::new);
            case PERMUTE -> Factory.of(Permute::new);
            case SOFTMAX -> Factory.of(Softmax::new);
            case LRN -> Factory.of(Lrn::new);
            case CROP -> Factory.of(Crop::new);
            case NORMALIZE -> Factory.of(Normalize::new);
            case MVN -> Factory.of(Mvn::new);
            case TILE -> Factory.of(Tile::new);
            case PRIOR_BOX -> Factory.of(PriorBox::new);
            case DETECTION_OUTPUT -> Factory.of(DetectionOutput::new);
            case ARG_MAX -> Factory.of(ArgMax::new);
            case INPUT, REDUCTION, UNKNOWN -> null;
        };
    }

    /**
     * The op computing {@code layer}, with its weights prepared for bottoms of the given shapes (batch included;
     * the op itself accepts any batch size).
     *
     * @throws ModelException naming the layer when its type is unsupported or its parameters or weights are invalid
     */
    public static LayerOp create(Layer layer, List<int[]> bottomShapes) {
        Factory factory = factory(layer.layerType());
        if (factory == null) {
            throw ModelException.inLayer(layer.name(), "unsupported layer type '" + layer.type() + "' (supported: Input, "
                    + String.join(", ", supportedTypes()) + ")");
        }
        if (bottomShapes.size() != layer.bottoms().size()) {
            throw ModelException.inLayer(layer.name(), "has " + layer.bottoms().size() + " bottoms but " + bottomShapes.size()
                    + " shapes were given");
        }
        LayerOp op = factory.create(layer, bottomShapes);
        return op.takesChannelsLast() ? op : new ChannelsFirstInputs(op, bottomShapes);
    }

    /** The geometry of a 2-D (De)Convolution over its 4-D bottom, channels on axis 1. */
    static ConvGeometry convGeometry(Layer layer, List<int[]> bottomShapes) {
        int[] bottom = bottomShapes.get(0);
        if (bottom.length != 4 || layer.param().getConvolutionParam().getAxis() != 1) {
            throw ModelException.inLayer(layer.name(), "only 2-D convolution over a 4-D input with channels on axis 1 is "
                    + "supported, got input " + Blob.describe(bottom));
        }
        return ConvGeometry.of(layer.param(), bottom);
    }

    /** Weight blob {@code index}, checked to exist and hold {@code count} values. */
    static Blob weight(Layer layer, int index, long count) {
        requireWeights(layer, index + 1);
        Blob b = layer.weights().get(index);
        if (b.count() != count) {
            throw ModelException.inLayer(layer.name(), "weight blob " + index + " holds " + b.count() + " values, expected "
                    + count + " (" + Blob.describe(b.shape()) + ")");
        }
        return b;
    }

    static void requireWeights(Layer layer, int count) {
        if (layer.weights().size() < count) {
            throw ModelException.inLayer(layer.name(), "needs " + count + " weight blob(s), the caffemodel has "
                    + layer.weights().size());
        }
    }

    static void requireRank(String layer, INDArray x, int rank) {
        if (x.rank() != rank) {
            throw ModelException.inLayer(layer, "expects a " + rank + "-D input, got " + Arrays.toString(x.shape()));
        }
    }

    /** Checks a 4-D input with the given channel count. */
    static void requireChannels(String layer, INDArray x, int channels) {
        requireRank(layer, x, 4);
        if (x.size(1) != channels) {
            throw ModelException.inLayer(layer, "input has " + x.size(1) + " channels, the weights expect " + channels);
        }
    }

    static int[] intShape(INDArray x) {
        return Arrays.stream(x.shape()).mapToInt(Math::toIntExact).toArray();
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
