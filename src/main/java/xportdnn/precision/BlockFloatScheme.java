package xportdnn.precision;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * With an exponent per activation channel (algorithms.md E's channel groups; {@code exponents} by blob name), a
 * blob is a Xilinx format of one power-of-two threshold per channel: a convolution aligns its input channels
 * ({@link ChannelAlignment}) and requantizes each output channel into its own exponent, an Eltwise moves each input
 * channel into its output's, a Concat puts its inputs' channels side by side, pooling and ReLU work channel by
 * channel (an average pooling shifts each channel by its own exponents' difference). Blobs without exponents (and
 * the weights) keep the blocks' thresholds.
 * Not a CHaiDNN scheme: a net is simulated in it only when a caller asks ({@code compare}).
 */
public final class BlockFloatScheme implements PrecisionScheme, Serializable {

    public static final String QUANT_TYPE = "BFP";

    private static final long serialVersionUID = 1L;

    /** The shift of the device's pooling in Xilinx mode, the pooled value in its input's scale. */
    private static final int POOLING_SHIFT = 16;

    private static final XilinxScheme XILINX = new XilinxScheme();

    /**
     * How many more mantissa bits the residual stream's blobs keep. Decided on ResNet-20's calibration images only
     * (exponents from one half, the other half scored; the README's compare section): the class scores' SQNR rose
     * by 4 dB with 2 more bits, and no further with 4 or 8 more.
     */
    public static final int STREAM_EXTRA_BITS = 2;

    /** Per blob name, its channels' exponents; blobs absent use their blocks' thresholds. */
    private final Map<String, int[]> exponents;

    /** The residual stream's blobs, held with {@link #STREAM_EXTRA_BITS} more mantissa bits. */
    private final Set<String> stream;

    /** One exponent per activation blob, the blocks' thresholds. */
    public BlockFloatScheme() {
        this(Map.of(), Set.of());
    }

    /**
     * @param exponents per blob name, an exponent per channel (compare chooses them from calibration)
     * @param stream    the blobs of the residual stream (among those with exponents), each held with a mantissa of
     *                  {@link #STREAM_EXTRA_BITS} more bits and the same exponents: block-floating-point designs
     *                  keep their accumulations wide, and ResNet's shortcut sums are one, rounded to the scheme's
     *                  mantissa at every block otherwise
     */
    public BlockFloatScheme(Map<String, int[]> exponents, Set<String> stream) {
        Map<String, int[]> copy = new HashMap<>();
        exponents.forEach((blob, e) -> copy.put(blob, e.clone()));
        this.exponents = copy;
        this.stream = Set.copyOf(stream);
    }

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter block) {
        String blob = layer.bottoms().isEmpty() ? null : layer.bottoms().get(0);
        return exponents.containsKey(blob) ? channels(blob, block.getBwLayerIn()) : XILINX.input(layer, block);
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter block) {
        String blob = layer.tops().get(0);
        return exponents.containsKey(blob) ? channels(blob, block.getBwLayerOut()) : XILINX.output(layer, block);
    }

    /**
     * The Xilinx format of {@code blob}'s per-channel exponents: a power-of-two threshold per channel, of the
     * scheme's mantissa width, or wider in the residual stream.
     */
    private NumberFormat channels(String blob, int scheme) {
        int m = stream.contains(blob) ? scheme + STREAM_EXTRA_BITS : scheme;
        int[] e = exponents.get(blob);
        float[] thresholds = new float[e.length];
        for (int c = 0; c < e.length; c++) {
            thresholds[c] = (float) BlockFloat.threshold(e[c], m);
        }
        return new ThresholdFormat(m, thresholds);
    }

    /**
     * With per-channel exponents, channel c shifts by {@code 16 - (e_in[c] - e_out[c])}.
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
        List<AveragePooling> channels = new ArrayList<>();
        for (int c = 0; c < out.length; c++) {
            channels.add(pooling(layer, POOLING_SHIFT - (in[c] - out[c]), window, block.getBwLayerOut(),
                    "channel " + c + " from exponent " + in[c] + " to " + out[c]));
        }
        return channels;
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
