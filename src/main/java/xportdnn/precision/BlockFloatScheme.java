package xportdnn.precision;

import java.io.Serializable;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/**
 * Block floating point ({@link BlockFloat}) simulated on the device's arithmetic: it reads Xilinx blocks whose
 * thresholds are all on the BFP grid (power-of-two steps), and runs them as Xilinx mode does, but for average
 * pooling: a pooled blob is an activation block of its own (algorithms.md E, an exponent per layer), so the pooling
 * writes its codes with its own exponent, where CHaiDNN's Xilinx mode leaves them in its input's scale. The device's
 * pooling arithmetic (multiplier 1, scale {@code floor(2^16 / (kh kw))}, a right shift that floors) with the shift
 * {@code 16 - (e_in - e_out)}: the exponents' difference is a power of two, so the rescaling is that shift alone.
 * Not a CHaiDNN scheme: a net is simulated in it only when a caller asks ({@code compare}).
 */
public final class BlockFloatScheme implements PrecisionScheme, Serializable {

    public static final String QUANT_TYPE = "BFP";

    private static final long serialVersionUID = 1L;

    /** The shift of the device's pooling in Xilinx mode, the pooled value in its input's scale. */
    private static final int POOLING_SHIFT = 16;

    private static final XilinxScheme XILINX = new XilinxScheme();

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter block) {
        return XILINX.input(layer, block);
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter block) {
        return XILINX.output(layer, block);
    }

    @Override
    public NumberFormat weights(Layer layer, PrecisionParameter block, Blob weights, boolean fused) {
        return XILINX.weights(layer, block, weights, fused);
    }

    /**
     * @throws ModelException when a threshold is not on the BFP grid, or the exponents are further apart than the
     *                        pooling's shift reaches
     */
    @Override
    public AveragePooling averagePooling(Layer layer, PrecisionParameter block, PoolGeometry window) {
        int m = block.getBwLayerOut();
        int shift = POOLING_SHIFT - (exponent(layer, block.getThLayerIn(), block.getBwLayerIn(), "th_layer_in")
                - exponent(layer, block.getThLayerOut(), m, "th_layer_out"));
        if (shift < 0 || shift > 2 * POOLING_SHIFT) {
            throw ModelException.inLayer(layer.name(), "average pooling from th_layer_in " + block.getThLayerIn()
                    + " to th_layer_out " + block.getThLayerOut() + " needs a right shift of " + shift
                    + "; block floating point pools with shifts of 0.." + 2 * POOLING_SHIFT);
        }
        return AveragePooling.blockFloat(window.kernelH() * window.kernelW(), shift, m);
    }

    /** The exponent of a block whose threshold is {@code threshold}, which must be on the grid. */
    private static int exponent(Layer layer, float threshold, int m, String field) {
        int e = BlockFloat.exponentCovering(threshold, m);
        if ((float) BlockFloat.threshold(e, m) != threshold) {
            throw ModelException.inLayer(layer.name(), "precision_param " + field + " " + threshold + " is not a "
                    + "block-floating-point threshold (2^(m-1)-1) * 2^(e-m+2) of " + m + "-bit mantissas");
        }
        return e;
    }
}
