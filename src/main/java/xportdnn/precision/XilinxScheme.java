package xportdnn.precision;

import static xportdnn.precision.BlockFields.checked;
import static xportdnn.precision.BlockFields.require;

import java.util.List;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/**
 * Xilinx mode: activations in {@link ThresholdFormat}s of {@code bw_layer_in/th_layer_in} and
 * {@code bw_layer_out/th_layer_out}; convolution weights in {@code bw_params} bits with one {@code th_params} per
 * output channel (for a convolution fused with BatchNorm/Scale they describe the fused weights).
 */
final class XilinxScheme implements PrecisionScheme {

    static final String QUANT_TYPE = "Xilinx";

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
