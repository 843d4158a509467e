package xportdnn.precision;

import static xportdnn.precision.BlockFields.require;

import java.io.Serializable;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/**
 * ACIQ (algorithms.md D), simulated on the device's arithmetic: it reads Xilinx blocks whose activation thresholds
 * are ACIQ's clipping values, and {@code bw_params} as the layer's average weight bitwidth, from which it allocates
 * every output channel's own bitwidth and bias-corrects the weights ({@link AciqWeights}; the blocks'
 * {@code th_params} are not read). Activations keep the Xilinx format, with multipliers at
 * {@code 22 + }{@link AciqWeights#MEAN_FRACTION} fractional bits to match the weights' finer steps. The device does
 * not run this scheme: a net is simulated in it only when a caller asks ({@code compare}), never from a file's
 * {@code quant_type}.
 */
public final class AciqScheme implements PrecisionScheme, Serializable {

    public static final String QUANT_TYPE = "ACIQ";

    private static final XilinxScheme XILINX = new XilinxScheme();

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter block) {
        return finer(XILINX.input(layer, block));
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter block) {
        return finer(XILINX.output(layer, block));
    }

    private static NumberFormat finer(NumberFormat activation) {
        return ((ThresholdFormat) activation).withShift(ThresholdFormat.SHIFT + AciqWeights.MEAN_FRACTION);
    }

    @Override
    public NumberFormat weights(Layer layer, PrecisionParameter block, Blob weights, boolean fused) {
        require(layer, block.hasBwParams(), "bw_params");
        int budget = block.getBwParams();
        if (budget < AciqWeights.MIN_BITS || budget > AciqWeights.maxBits(budget)) {
            throw ModelException.inLayer(layer.name(), "precision_param bw_params is " + budget + "; ACIQ allocates "
                    + AciqWeights.MIN_BITS + ".." + AciqWeights.maxBits(16) + " bits per channel");
        }
        return AciqWeights.of(weights.data(), weights.shape()[0], budget);
    }

    @Override
    public AveragePooling averagePooling(Layer layer, PrecisionParameter block, PoolGeometry window) {
        return XILINX.averagePooling(layer, block, window);
    }
}
