package xportdnn.precision;

import static xportdnn.precision.BlockFields.checked;
import static xportdnn.precision.BlockFields.require;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/**
 * Xilinx mode: activations in {@link ThresholdFormat}s of {@code bw_layer_in/th_layer_in} and
 * {@code bw_layer_out/th_layer_out}; convolution weights in {@code bw_params} bits with one {@code th_params} per
 * output channel (for a convolution fused with BatchNorm/Scale they describe the fused weights). Reads these
 * blocks, and writes them as the original tool did ({@link #block}).
 */
public final class XilinxScheme implements PrecisionScheme {

    public static final String QUANT_TYPE = "Xilinx";

    /** Layer types whose block also holds bw_params and th_params. */
    private static final Set<LayerType> WITH_PARAMS = EnumSet.of(LayerType.CONVOLUTION, LayerType.DECONVOLUTION,
            LayerType.NORMALIZE);

    /** The real files show no quant_type on these blocks. */
    private static final Set<LayerType> WITHOUT_QUANT_TYPE = EnumSet.of(LayerType.INPUT, LayerType.RELU);

    /**
     * The thresholds of one layer's block. {@link #block} asks only for those the block holds, in the order
     * in, out, params, so a caller may note what it had to substitute.
     */
    public interface Thresholds {

        float in();

        float out();

        /** One per output channel. */
        float[] params();
    }

    XilinxScheme() {
    }

    /**
     * The block of a layer of type {@code type}, with the fields the real tool wrote: the Input block holds
     * {@code bw_layer_out} (the input bitwidth: the image is the first layer's input) and {@code th_layer_out}
     * only; every other block {@code bw_layer_in, bw_layer_out, th_layer_in, th_layer_out}, Convolution,
     * Deconvolution and Normalize also {@code bw_params} and their {@code th_params}; {@code quant_type} on every
     * block but Input's and ReLU's.
     *
     * @param bitwidths input activations, weights, output activations
     */
    public static PrecisionParameter block(LayerType type, InParamsOut bitwidths, Thresholds thresholds) {
        PrecisionParameter.Builder p = PrecisionParameter.newBuilder();
        if (type == LayerType.INPUT) {
            return p.setBwLayerOut(bitwidths.in()).setThLayerOut(thresholds.out()).build();
        }
        p.setBwLayerIn(bitwidths.in()).setBwLayerOut(bitwidths.out())
                .setThLayerIn(thresholds.in()).setThLayerOut(thresholds.out());
        if (WITH_PARAMS.contains(type)) {
            p.setBwParams(bitwidths.params());
            for (float th : thresholds.params()) {
                p.addThParams(th);
            }
        }
        if (!WITHOUT_QUANT_TYPE.contains(type)) {
            p.setQuantType(QUANT_TYPE);
        }
        return p.build();
    }

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter p) {
        require(layer, p.hasBwLayerIn(), "bw_layer_in");
        require(layer, p.hasThLayerIn(), "th_layer_in");
        return activation(layer, p.getBwLayerIn(), p.getThLayerIn(), "th_layer_in");
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter p) {
        require(layer, p.hasBwLayerOut(), "bw_layer_out");
        require(layer, p.hasThLayerOut(), "th_layer_out");
        return activation(layer, p.getBwLayerOut(), p.getThLayerOut(), "th_layer_out");
    }

    @Override
    public NumberFormat weights(Layer layer, PrecisionParameter p, Blob weights, boolean fused) {
        require(layer, p.hasBwParams(), "bw_params");
        List<Float> th = p.getThParamsList();
        int channels = weights.shape()[0];
        if (th.size() != channels) {
            throw ModelException.inLayer(layer.name(), "precision_param has " + th.size() + " th_params for "
                    + channels + " output channels");
        }
        float[] thresholds = new float[channels];
        for (int c = 0; c < channels; c++) {
            thresholds[c] = th.get(c);
        }
        return checked(layer, () -> new ThresholdFormat(p.getBwParams(), thresholds));
    }

    private static NumberFormat activation(Layer layer, int bw, float th, String field) {
        if (!(th > 0) || Float.isInfinite(th)) {
            throw ModelException.inLayer(layer.name(), "precision_param " + field + " is " + th
                    + "; the runtime divides by it");
        }
        return checked(layer, () -> new ThresholdFormat(bw, th));
    }

    @Override
    public AveragePooling averagePooling(Layer layer, PrecisionParameter block, PoolGeometry window) {
        return AveragePooling.xilinx(window.kernelH(), block.getBwLayerOut());
    }
}
