package xportdnn.precision;

import static xportdnn.precision.BlockFields.checked;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.BlockFields.FixedPoint;

/**
 * F8Net ({@link F8NetFormat}), a scheme of {@code xportdnn compare} that CHaiDNN does not run: blocks of
 * {@code quant_type: "F8Net"} hold {@code bw/fl_layer_in}, {@code bw/fl_layer_out} and, on a convolution,
 * {@code bw/fl_params}, every bitwidth 8. Whether a format is signed is not in the block but in the net: a ReLU's
 * output is unsigned, so is the output of a layer that a ReLU rewrites in place next (F8Net's ReLU is the clamp
 * of unsigned codes), and a Pooling's or Concat's whose inputs all are; a layer reads its input in the signedness
 * of the layer that last wrote it. F8Net computes average pooling as a sum with more fractional bits
 * whose factor goes into the next layer, which is the exact average: such a layer carries no block (the simulator
 * computes it in float).
 */
public final class F8NetScheme implements PrecisionScheme {

    public static final String QUANT_TYPE = "F8Net";

    /**
     * The block of a layer of type {@code type} with fractional lengths {@code fl} (input, weights, output): 8-bit
     * input and output formats, a convolution's 8-bit weights.
     */
    public static PrecisionParameter block(LayerType type, InParamsOut fl) {
        PrecisionParameter.Builder p = PrecisionParameter.newBuilder().setQuantType(QUANT_TYPE)
                .setBwLayerIn(F8Net.BITS).setFlLayerIn(fl.in()).setBwLayerOut(F8Net.BITS).setFlLayerOut(fl.out());
        if (type == LayerType.CONVOLUTION) {
            p.setBwParams(F8Net.BITS).setFlParams(fl.params());
        }
        return p.build();
    }

    /** Layers whose output is never negative. */
    private final Set<String> unsignedOutputs = new HashSet<>();
    /** Per layer, whether the blob it reads first was last written as an unsigned output. */
    private final Map<String, Boolean> unsignedInputs = new HashMap<>();

    public F8NetScheme(Net net) {
        List<Layer> layers = net.layers();
        Map<String, Boolean> blobUnsigned = new HashMap<>(); // per blob, whether its last writer so far is unsigned
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (!l.bottoms().isEmpty()) {
                unsignedInputs.put(l.name(), blobUnsigned.getOrDefault(l.bottoms().get(0), false));
            }
            boolean unsigned = switch (l.layerType()) {
                case RELU -> plainRelu(l);
                case POOLING, CONCAT -> !l.bottoms().isEmpty()
                        && l.bottoms().stream().allMatch(b -> blobUnsigned.getOrDefault(b, false));
                default -> false;
            } || rectifiedInPlace(layers, i);
            if (unsigned) {
                unsignedOutputs.add(l.name());
            }
            l.tops().forEach(t -> blobUnsigned.put(t, unsigned));
        }
    }

    private static boolean plainRelu(Layer l) {
        return l.layerType() == LayerType.RELU && l.param().getReluParam().getNegativeSlope() == 0;
    }

    /**
     * Whether the next layer reading layer {@code index}'s only output is a plain ReLU rewriting it in place: F8Net
     * then writes the output unsigned, the ReLU being the clamp at code 0.
     */
    private static boolean rectifiedInPlace(List<Layer> layers, int index) {
        if (layers.get(index).tops().size() != 1) {
            return false;
        }
        String blob = layers.get(index).tops().get(0);
        for (int k = index + 1; k < layers.size(); k++) {
            Layer l = layers.get(k);
            if (l.bottoms().contains(blob)) {
                return plainRelu(l) && l.inPlace();
            }
        }
        return false;
    }

    /**
     * Whether the layer's output is unsigned: a ReLU's, one a ReLU rewrites in place next, a Pooling's or
     * Concat's of unsigned inputs.
     */
    public boolean unsignedOutput(Layer layer) {
        return unsignedOutputs.contains(layer.name());
    }

    /** Whether the layer reads its (first) input as unsigned codes. */
    public boolean unsignedInput(Layer layer) {
        return unsignedInputs.getOrDefault(layer.name(), false);
    }

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter p) {
        FixedPoint f = FixedPoint.input(layer, p);
        return format(layer, f.bw(), unsignedInput(layer), f.fl());
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter p) {
        FixedPoint f = FixedPoint.output(layer, p);
        return format(layer, f.bw(), unsignedOutput(layer), f.fl());
    }

    @Override
    public NumberFormat weights(Layer layer, PrecisionParameter p, Blob weights, boolean fused) {
        FixedPoint f = FixedPoint.params(layer, p);
        return format(layer, f.bw(), false, f.fl());
    }

    @Override
    public AveragePooling averagePooling(Layer layer, PrecisionParameter block, PoolGeometry window) {
        throw ModelException.inLayer(layer.name(), "an F8Net block on an average pooling: F8Net's pooling is the "
                + "exact average, computed in float without a block");
    }

    private static NumberFormat format(Layer layer, int bw, boolean unsigned, int fl) {
        if (bw != F8Net.BITS) {
            throw ModelException.inLayer(layer.name(), "precision_param: F8Net formats are " + F8Net.BITS
                    + "-bit, not " + bw);
        }
        return checked(layer, () -> new F8NetFormat(!unsigned, fl));
    }
}
