package xportdnn.precision;

import static xportdnn.precision.BlockFields.checked;
import static xportdnn.precision.BlockFields.require;

import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.BlockFields.FixedPoint;

/**
 * DynamicFixed mode: activations in {@link FixedPointFormat}s of {@code bw_layer_in/fl_layer_in} and
 * {@code bw_layer_out/fl_layer_out}, convolution weights in {@code bw_params/fl_params}. For a convolution fused
 * with BatchNorm/Scale the runtime ignores {@code fl_params} and recomputes the fractional length from the fused
 * weights (algorithms.md section C): {@code fl = bw_params - int_bits}, {@code int_bits} = 1 when max |w'| < 1,
 * 2 when it is 1, else {@code ceil(|log2 max|) + 1} ({@link #fusedWeightsFl}). Reads these blocks, and writes
 * them ({@link #block}).
 */
public final class DynamicFixedScheme implements PrecisionScheme {

    public static final String QUANT_TYPE = "DynamicFixed";

    /** The largest shift the convolution engine's 6-bit shift field holds. */
    private static final int MAX_POOLING_SHIFT = 63;

    /** The fractional lengths of a BatchNorm's mean and variance. */
    public record BatchNormLengths(int mean, int variance) {
    }

    /** The fractional lengths of a Scale's gamma, beta and the gamma/sqrt(variance+eps) of its fused BatchNorm. */
    public record ScaleLengths(int gamma, int beta, int gammaByStd) {
    }

    /** The fractional lengths of a layer's learned values at a bitwidth; {@link #block} asks only its type's. */
    public interface LearnedLengths {

        BatchNormLengths batchNorm(int bw);

        ScaleLengths scale(int bw);
    }

    DynamicFixedScheme() {
    }

    /**
     * The block of a layer of type {@code type}: every block holds {@code bw/fl_layer_in}, {@code bw/fl_layer_out}
     * and {@code quant_type}; a Convolution's also {@code bw/fl_params}; a BatchNorm's the bitwidth and fl of its
     * mean and variance, a Scale's those of gamma, beta and gamma/sqrt(variance+eps), all at the params bitwidth.
     *
     * @param bitwidths         input activations, weights (and learned values), output activations
     * @param fractionalLengths input activations, convolution weights, output activations
     */
    public static PrecisionParameter block(LayerType type, InParamsOut bitwidths, InParamsOut fractionalLengths,
            LearnedLengths learned) {
        PrecisionParameter.Builder p = PrecisionParameter.newBuilder()
                .setBwLayerIn(bitwidths.in()).setBwLayerOut(bitwidths.out())
                .setFlLayerIn(fractionalLengths.in()).setFlLayerOut(fractionalLengths.out())
                .setQuantType(QUANT_TYPE);
        int bw = bitwidths.params();
        switch (type) {
            case CONVOLUTION -> p.setBwParams(bw).setFlParams(fractionalLengths.params());
            case BATCH_NORM -> {
                BatchNormLengths fl = learned.batchNorm(bw);
                p.setBatchnormMeanBw(bw).setBatchnormMeanFl(fl.mean())
                        .setBatchnormVarianceBw(bw).setBatchnormVarianceFl(fl.variance());
            }
            case SCALE -> {
                ScaleLengths fl = learned.scale(bw);
                p.setScaleGammaBw(bw).setScaleGammaFl(fl.gamma())
                        .setScaleBetaBw(bw).setScaleBetaFl(fl.beta())
                        .setScaleGammaByStdBw(bw).setScaleGammaByStdFl(fl.gammaByStd());
            }
            default -> {
                // Pooling, Eltwise, Permute: activations only
            }
        }
        return p.build();
    }

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter p) {
        FixedPoint f = FixedPoint.input(layer, p);
        return checked(layer, () -> new FixedPointFormat(f.bw(), f.fl()));
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter p) {
        FixedPoint f = FixedPoint.output(layer, p);
        return checked(layer, () -> new FixedPointFormat(f.bw(), f.fl()));
    }

    @Override
    public NumberFormat weights(Layer layer, PrecisionParameter p, Blob weights, boolean fused) {
        if (!fused) {
            FixedPoint f = FixedPoint.params(layer, p);
            return checked(layer, () -> new FixedPointFormat(f.bw(), f.fl()));
        }
        require(layer, p.hasBwParams(), "bw_params");
        double max = 0;
        for (float w : weights.data()) {
            max = Math.max(max, Math.abs(w));
        }
        int fl = fusedWeightsFl(max, p.getBwParams());
        return checked(layer, () -> new FixedPointFormat(p.getBwParams(), fl));
    }

    /**
     * @throws ModelException when fl_layer_out is more than 8 above fl_layer_in: the device shifts the pooled sum
     *                        right by fl_layer_in + 8 - fl_layer_out (a 6-bit unsigned field)
     */
    @Override
    public AveragePooling averagePooling(Layer layer, PrecisionParameter p, PoolGeometry window) {
        AveragePooling a = AveragePooling.dynamicFixed(window.kernelH(), window.kernelW(), p.getFlLayerIn(),
                p.getFlLayerOut(), p.getBwLayerOut());
        if (a.shift() < 0 || a.shift() > MAX_POOLING_SHIFT) {
            throw ModelException.inLayer(layer.name(), "average pooling from fl_layer_in " + p.getFlLayerIn()
                    + " to fl_layer_out " + p.getFlLayerOut() + " needs a right shift of " + a.shift()
                    + "; the device shifts by 0.." + MAX_POOLING_SHIFT + " (fl_layer_in + 8 - fl_layer_out)");
        }
        return a;
    }

    /**
     * The fractional length the runtime gives a convolution's weights once it has fused them with BatchNorm/Scale,
     * at {@code bw} bits, when their largest magnitude is {@code maxAbs}: {@code bw} minus the integer bits of
     * {@link #integerBits}. This is the runtime's rule, whatever fl_params says.
     */
    public static int fusedWeightsFl(double maxAbs, int bw) {
        return bw - integerBits(maxAbs);
    }

    /**
     * The runtime's integer bits for fused weights whose largest magnitude is {@code max}: 1 below 1, 2 at 1, else
     * {@code ceil(log2 max) + 1}, computed exactly (a floating-point log(max)/log(2) can miss a power of two).
     */
    static int integerBits(double max) {
        if (max < 1) {
            return 1;
        }
        if (max == 1) {
            return 2;
        }
        int ceilLog2 = Math.getExponent(max); // exact: floor(log2 max), raised when max is not a power of two
        if (max > Math.scalb(1.0, ceilLog2)) {
            ceilLog2++;
        }
        return ceilLog2 + 1;
    }
}
