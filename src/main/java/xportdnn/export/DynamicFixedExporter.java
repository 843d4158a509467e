package xportdnn.export;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.LayerParameterOrBuilder;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.ChaiDnnBitwidths;
import xportdnn.precision.DynamicFixed;
import xportdnn.precision.DynamicFixedScheme.BatchNormLengths;
import xportdnn.precision.DynamicFixedScheme.ScaleLengths;
import xportdnn.precision.DynamicFixedScheme;
import xportdnn.precision.InParamsOut;
import xportdnn.precision.StandaloneBatchNorm;
import xportdnn.quant.BatchNormStatistics;

/**
 * The original tool's DynamicFixed mode, done right for BatchNorm and Scale: the user's net with a
 * {@code precision_param} block on every layer type CHaiDNN reads one from in DynamicFixed mode (spec section 3),
 * as in Xilinx mode none on a layer CHaiDNN does not support (e.g. an Eltwise with coeff or MAX).
 * The user's Q.F goes on activations and convolution weights; BatchNorm mean/variance, Scale gamma/beta and the
 * fused gamma/sqrt(var+eps) get the largest fl at which their actual values do not saturate at the params
 * bitwidth, since one user-chosen Q.F cannot suit statistics of very different magnitudes. For a Scale after a
 * BatchNorm the fl of gamma/sqrt(var+eps) and of beta are lowered where needed so that the device's BatchNorm op
 * ({@link StandaloneBatchNorm}) shifts by amounts its 5-bit fields hold and its 16-bit constants (at fl + 8) hold
 * them without wrapping, at fractional bits its conversion holds.
 */
public final class DynamicFixedExporter {

    /**
     * @param net             the quantized net: the user's definition, batch 1, with the precision blocks
     * @param blockCount      how many precision_param blocks were written
     * @param rebatchedInputs Input layers whose batch dimension was rewritten to 1, with their old batch
     */
    public record Result(NetParameter net, int blockCount, Map<String, Long> rebatchedInputs) {

        public boolean batchChanged() {
            return !rebatchedInputs.isEmpty();
        }
    }

    private DynamicFixedExporter() {
    }

    /**
     * The original tool's behaviour: one Q.F for every layer.
     *
     * @param bitwidths         total bits of input activations, weights, output activations
     * @param fractionalLengths the user's fl for input activations, convolution weights, output activations
     * @param allowAnyBitwidth  accept bitwidths other than CHaiDNN's 6 and 8, and input and output
     *                          activations of different widths
     * @throws ModelException for unsupported bitwidths, or a BatchNorm/Scale whose learned values are missing or
     *                        not finite
     */
    public static Result export(Net net, InParamsOut bitwidths, InParamsOut fractionalLengths,
            boolean allowAnyBitwidth) {
        return export(net, bitwidths, layer -> fractionalLengths, allowAnyBitwidth);
    }

    /**
     * Each layer with its own fractional lengths (e.g. chosen from calibration statistics).
     *
     * @param fractionalLengths the fl of input activations, convolution weights, output activations by layer name
     */
    public static Result export(Net net, InParamsOut bitwidths, Function<String, InParamsOut> fractionalLengths,
            boolean allowAnyBitwidth) {
        ChaiDnnBitwidths.check(bitwidths, allowAnyBitwidth);
        Map<String, Layer> records = new HashMap<>();
        for (Layer l : net.layers()) {
            records.put(l.name(), l);
        }
        NetParameter.Builder out = net.definition().toBuilder();
        Map<String, Long> rebatched = BatchDimension.setToOne(out);
        Map<String, LayerParameterOrBuilder> producers = new HashMap<>(); // blob -> the layer that last wrote it
        int blocks = 0;
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            layer.clearPrecisionParam();
            if (LayerType.of(layer.getType()).carriesDynamicFixedBlock()
                    && ChaidnnSupport.of(layer.build()) != ChaidnnSupport.UNSUPPORTED) {
                layer.setPrecisionParam(block(layer, bitwidths, fractionalLengths.apply(layer.getName()), records,
                        producers));
                blocks++;
            }
            for (String top : layer.getTopList()) {
                producers.put(top, layer);
            }
        }
        return new Result(out.build(), blocks, rebatched);
    }

    private static PrecisionParameter block(LayerParameter.Builder layer, InParamsOut bw, InParamsOut fl,
            Map<String, Layer> records, Map<String, LayerParameterOrBuilder> producers) {
        return DynamicFixedScheme.block(LayerType.of(layer.getType()), bw, fl, new DynamicFixedScheme.LearnedLengths() {
            @Override
            public BatchNormLengths batchNorm(int bits) {
                BatchNormStatistics stats = BatchNormStatistics.of(record(layer, records));
                return new BatchNormLengths(largestFl(layer, "mean", stats.mean(), bits),
                        largestFl(layer, "variance", stats.variance(), bits));
            }

            @Override
            public ScaleLengths scale(int bits) {
                Layer scale = record(layer, records);
                float[] gamma = gamma(scale);
                float[] beta = scale.weights().size() > 1 ? scale.weights().get(1).data() : new float[0];
                Layer bn = producingBatchNorm(layer, producers, records);
                int gammaFl = largestFl(layer, "gamma", gamma, bits);
                int betaFl = largestFl(layer, "beta", beta, bits);
                float[] byStd = bn == null ? gamma : gammaByStd(scale, gamma, bn);
                int gammaByStd = largestFl(layer, "gamma/sqrt(variance+eps)", byStd, bits);
                if (bn != null) {
                    int flIn = producers.get(layer.getBottom(0)).getPrecisionParam().getFlLayerIn();
                    gammaByStd = Math.min(gammaByStd, Math.min(largestGammaByStdFl(flIn, fl.out()),
                            StandaloneBatchNorm.largestConstantFl(byStd)));
                    betaFl = Math.min(betaFl, Math.min(largestBetaFl(flIn, gammaByStd),
                            StandaloneBatchNorm.largestConstantFl(beta)));
                }
                return new ScaleLengths(gammaFl, betaFl, gammaByStd);
            }
        });
    }

    /**
     * The largest scale_gamma_by_std_fl at which the device's BatchNorm op (a pair run on its own,
     * {@link StandaloneBatchNorm}) shifts its accumulator by at most its 5-bit field holds: norm_prec =
     * fl_in + 8 + gamma_by_std_fl + 8 - fl_out. A smaller fl only rounds S coarser; a larger one wraps the shift.
     */
    private static int largestGammaByStdFl(int flIn, int flOut) {
        return StandaloneBatchNorm.MAX_SHIFT - StandaloneBatchNorm.normPrec(flIn, 0, flOut);
    }

    /**
     * The largest scale_beta_fl at which that op shifts beta left, not by a negative amount its 5-bit field would
     * wrap: norm_prec_3 = fl_in + gamma_by_std_fl + 8 - beta_fl. Bits of beta finer than that are finer than the
     * accumulator's own.
     */
    private static int largestBetaFl(int flIn, int gammaByStdFl) {
        return StandaloneBatchNorm.betaShift(flIn, gammaByStdFl, 0);
    }

    private static Layer record(LayerParameter.Builder layer, Map<String, Layer> records) {
        Layer l = records.get(layer.getName());
        if (l == null) {
            throw ModelException.inLayer(layer.getName(), "the " + layer.getType() + " has no learned values");
        }
        return l;
    }

    private static float[] gamma(Layer scale) {
        if (scale.bottoms().size() > 1) {
            throw ModelException.inLayer(scale.name(),
                    "the Scale takes its scale from a second input; only a learned scale can be quantized");
        }
        if (scale.weights().isEmpty()) {
            throw ModelException.inLayer(scale.name(), "the Scale has no learned scale (gamma)");
        }
        return scale.weights().get(0).data();
    }

    /** The BatchNorm that writes the Scale's input, which CHaiDNN fuses with it; null when it is another layer. */
    private static Layer producingBatchNorm(LayerParameter.Builder scale,
            Map<String, LayerParameterOrBuilder> producers, Map<String, Layer> records) {
        LayerParameterOrBuilder producer = scale.getBottomCount() == 0 ? null : producers.get(scale.getBottom(0));
        if (producer == null || LayerType.of(producer.getType()) != LayerType.BATCH_NORM) {
            return null;
        }
        return records.get(producer.getName());
    }

    /** S = gamma / sqrt(var + eps), as the CHaiDNN runtime computes it when it fuses the pair. */
    private static float[] gammaByStd(Layer scale, float[] gamma, Layer bn) {
        BatchNormStatistics stats = BatchNormStatistics.of(bn);
        if (stats.variance().length != gamma.length) {
            throw ModelException.inLayer(scale.name(), "the Scale has " + gamma.length
                    + " gamma values but its BatchNorm '" + bn.name() + "' has " + stats.variance().length
                    + " variances");
        }
        return stats.gammaByStd(gamma);
    }

    private static int largestFl(LayerParameter.Builder layer, String what, float[] values, int bw) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw ModelException.inLayer(layer.getName(), "the " + layer.getType() + " " + what
                        + " contains " + v + ", which has no fixed-point value");
            }
        }
        return DynamicFixed.largestFl(values, bw);
    }
}
