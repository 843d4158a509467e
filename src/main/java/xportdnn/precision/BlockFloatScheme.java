package xportdnn.precision;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * pooling arithmetic (multiplier 1, scale {@code floor(2^16 / (kh kw))}, a right shift, which rounds half away from
 * zero as BFP's mantissas do where the device's floors) with the shift
 * {@code 16 - (e_in - e_out)}: the exponents' difference is a power of two, so the rescaling is that shift alone.
 * With an exponent per activation channel (algorithms.md E's channel groups; {@code exponents} by blob name), a
 * blob is a Xilinx format of one power-of-two threshold per channel: a convolution aligns its input channels
 * ({@link ChannelAlignment}) and requantizes each output channel into its own exponent, an Eltwise moves each input
 * channel into its output's, a Concat puts its inputs' channels side by side, pooling and ReLU work channel by
 * channel (an average pooling shifts each channel by its own exponents' difference). Blobs without exponents (and
 * the weights) keep the blocks' thresholds. A convolution's bias keeps 8 fractional bits of an output code ({@link
 * ThresholdFormat#withFractionalBias}), as BFP's reference adds the bias unrounded, where CHaiDNN's runtime rounds
 * it to whole codes.
 * Not a CHaiDNN scheme: a net is simulated in it only when a caller asks ({@code compare}).
 */
public final class BlockFloatScheme implements PrecisionScheme, Serializable {

    public static final String QUANT_TYPE = "BFP";

    private static final long serialVersionUID = 1L;

    /** The shift of the device's pooling in Xilinx mode, the pooled value in its input's scale. */
    private static final int POOLING_SHIFT = 16;

    private static final XilinxScheme XILINX = new XilinxScheme();

    /** Per blob name, its channels' exponents; blobs absent use their blocks' thresholds. */
    private final Map<String, int[]> exponents;

    /** Per blob name, how many more mantissa bits than the scheme's it keeps (absent: none). */
    private final Map<String, Integer> widerBy;

    /** One exponent per activation blob, the blocks' thresholds. */
    public BlockFloatScheme() {
        this(Map.of(), Map.of());
    }

    /**
     * @param exponents per blob name, an exponent per channel (compare chooses them from calibration)
     * @param widerBy   per blob name (among those with exponents), how many more mantissa bits than the blocks'
     *                  it keeps (compare's ChannelExponents.widerMantissas: the residual stream, as
     *                  block-floating-point designs keep accumulations wide; guard bits after an average pooling)
     */
    public BlockFloatScheme(Map<String, int[]> exponents, Map<String, Integer> widerBy) {
        Map<String, int[]> copy = new HashMap<>();
        exponents.forEach((blob, e) -> copy.put(blob, e.clone()));
        this.exponents = copy;
        this.widerBy = Map.copyOf(widerBy);
    }

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter block) {
        String blob = layer.bottoms().isEmpty() ? null : layer.bottoms().get(0);
        return exponents.containsKey(blob) ? channels(blob, block.getBwLayerIn())
                : fractionalBias(XILINX.input(layer, block));
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter block) {
        String blob = layer.tops().get(0);
        return exponents.containsKey(blob) ? channels(blob, block.getBwLayerOut())
                : fractionalBias(XILINX.output(layer, block));
    }

    /**
     * The Xilinx format of {@code blob}'s per-channel exponents: a power-of-two threshold per channel, of the
     * scheme's mantissa width or wider.
     */
    private NumberFormat channels(String blob, int scheme) {
        int m = width(blob, scheme);
        int[] e = exponents.get(blob);
        float[] thresholds = new float[e.length];
        for (int c = 0; c < e.length; c++) {
            thresholds[c] = (float) BlockFloat.threshold(e[c], m);
        }
        return new ThresholdFormat(m, thresholds).withFractionalBias();
    }

    private static NumberFormat fractionalBias(NumberFormat activation) {
        return ((ThresholdFormat) activation).withFractionalBias();
    }

    /**
     * With per-channel exponents, channel c shifts by {@code 16 - (e_in[c] - e_out[c])}, the exponents' difference
     * counted in steps {@code 2^(e-m+2)}: a wider mantissa of the same exponent has a finer step.
     *
     * @throws ModelException as {@link #averagePooling}
     */
    @Override
    public List<AveragePooling> averagePoolings(Layer layer, PrecisionParameter block, PoolGeometry window) {
        int[] in = exponents.get(layer.bottoms().get(0));
        int[] out = exponents.get(layer.tops().get(0));
        if (in == null || out == null) {
            return List.of(averagePooling(layer, block, window));
        }
        int mIn = width(layer.bottoms().get(0), block.getBwLayerIn());
        int mOut = width(layer.tops().get(0), block.getBwLayerOut());
        List<AveragePooling> channels = new ArrayList<>();
        for (int c = 0; c < out.length; c++) {
            channels.add(pooling(layer, POOLING_SHIFT - ((in[c] - mIn) - (out[c] - mOut)), window, mOut,
                    "channel " + c + " from exponent " + in[c] + " to " + out[c]));
        }
        return channels;
    }

    /** The mantissa width of {@code blob}: the blocks' {@code m}, or more. */
    private int width(String blob, int m) {
        return m + widerBy.getOrDefault(blob, 0);
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
        return pooling(layer, shift, window, m, "th_layer_in " + block.getThLayerIn() + " to th_layer_out "
                + block.getThLayerOut());
    }

    private static AveragePooling pooling(Layer layer, int shift, PoolGeometry window, int m, String what) {
        if (shift < 0 || shift > 2 * POOLING_SHIFT) {
            throw ModelException.inLayer(layer.name(), "average pooling from " + what + " needs a right shift of "
                    + shift + "; block floating point pools with shifts of 0.." + 2 * POOLING_SHIFT);
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
