package xportdnn.compare;

import java.util.List;
import java.util.Map;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.pipeline.Calibration;
import xportdnn.pipeline.ExportScheme;
import xportdnn.precision.AciqScheme;
import xportdnn.precision.BlockFloat;
import xportdnn.precision.F8NetScheme;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.BlockFloatExponent;
import xportdnn.quant.F8NetFormats;
import xportdnn.quant.ThresholdMethod;
import xportdnn.sim.FixedPointNet;

/** How each scheme turns the float net and its calibration into a quantized net the simulator runs. */
final class SchemeNets {

    private SchemeNets() {
    }

    /**
     * The quantized net of {@code spec}: CHaiDNN's modes exactly as the exporter writes them; {@code naive:B} as
     * Xilinx blocks holding each activation's calibrated maximum and each layer's largest weight magnitude for all
     * its channels (one scale per tensor, the baseline the papers start from); {@code aciq:B} as Xilinx blocks holding
     * ACIQ's Laplace clipping values (algorithms.md D) as activation thresholds, the weights left to
     * {@link AciqScheme}; {@code f8net:8} as F8Net blocks ({@link F8NetFormats}).
     *
     * @param net the float net, BatchNorm/Scale folded into the convolutions
     */
    static ExportScheme.Exported quantize(SchemeSpec spec, Net net, Calibration calibration) {
        InParamsOut bits = new InParamsOut(spec.bits(), spec.bits(), spec.bits());
        return switch (spec.family()) {
            case XILINX -> ExportScheme.xilinx(ThresholdMethod.parse(ThresholdMethod.DEFAULT), bits)
                    .export(net, calibration);
            case DYNAMICFIXED -> ExportScheme.dynamicFixed(bits, true).export(net, calibration);
            case NAIVE -> {
                ExportScheme.Exported max = ExportScheme.xilinx(ThresholdMethod.parse("max"), bits)
                        .export(net, calibration);
                yield new ExportScheme.Exported(perTensorWeights(max.net()), null, max.notices(), max.summary());
            }
            case BFP -> {
                ExportScheme.Exported kl = ExportScheme.xilinx(new BlockFloatExponent(), bits).export(net, calibration);
                yield new ExportScheme.Exported(blockFloat(kl.net(), spec.bits()), null, kl.notices(), kl.summary());
            }
            case ACIQ -> ExportScheme.xilinx(ThresholdMethod.parse("aciq-laplace"), bits).export(net, calibration);
            case F8NET -> {
                Map<String, InParamsOut> formats = F8NetFormats.choose(net, calibration.statistics());
                yield new ExportScheme.Exported(f8net(net, formats), null, List.of(), "wrote " + formats.size()
                        + " F8Net precision_param blocks (fractional lengths from each tensor's standard deviation on "
                        + calibration.images() + " calibration images)");
            }
        };
    }

    /** The float net with an F8Net block on every layer {@code formats} names. */
    static NetParameter f8net(Net net, Map<String, InParamsOut> formats) {
        NetParameter.Builder out = net.definition().toBuilder();
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            layer.clearPrecisionParam();
            InParamsOut fl = formats.get(layer.getName());
            if (fl != null) {
                layer.setPrecisionParam(F8NetScheme.block(LayerType.of(layer.getType()), fl));
            }
        }
        return out.build();
    }

    /**
     * The simulator of a quantized net of {@code spec}: ACIQ's own scheme for {@code aciq:B} (the blocks hold its
     * activation clips and the weight budget, {@link AciqScheme}), the scheme the blocks state otherwise.
     */
    static FixedPointNet simulator(SchemeSpec spec, Net quantized) {
        return spec.family() == SchemeSpec.Family.ACIQ ? new FixedPointNet(quantized, new AciqScheme())
                : new FixedPointNet(quantized);
    }

    /**
     * The net with every block's thresholds on the block-floating-point grid of {@code m}-bit mantissas
     * ({@link BlockFloat}): a weight channel gets the exponent of its largest magnitude (the thresholds the Xilinx
     * walk measured), an activation threshold the smallest exponent covering it (the walk may have raised a blob's
     * to fit a bias or to share it across an Eltwise or Concat; equal thresholds keep one exponent).
     */
    static NetParameter blockFloat(NetParameter net, int m) {
        NetParameter.Builder out = net.toBuilder();
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            if (!layer.hasPrecisionParam()) {
                continue;
            }
            PrecisionParameter.Builder block = layer.getPrecisionParamBuilder();
            if (block.hasThLayerIn()) {
                block.setThLayerIn(covering(block.getThLayerIn(), m));
            }
            if (block.hasThLayerOut()) {
                block.setThLayerOut(covering(block.getThLayerOut(), m));
            }
            for (int c = 0; c < block.getThParamsCount(); c++) {
                block.setThParams(c, (float) BlockFloat.threshold(BlockFloat.exponent(block.getThParams(c)), m));
            }
        }
        return out.build();
    }

    private static float covering(float threshold, int m) {
        return (float) BlockFloat.threshold(BlockFloat.exponentCovering(threshold, m), m);
    }

    /** The net with every block's per-channel weight thresholds replaced by their largest: one scale per tensor. */
    static NetParameter perTensorWeights(NetParameter net) {
        NetParameter.Builder out = net.toBuilder();
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            if (!layer.hasPrecisionParam() || layer.getPrecisionParam().getThParamsCount() == 0) {
                continue;
            }
            PrecisionParameter.Builder block = layer.getPrecisionParamBuilder();
            float max = 0;
            for (float t : block.getThParamsList()) {
                max = Math.max(max, t);
            }
            for (int c = 0; c < block.getThParamsCount(); c++) {
                block.setThParams(c, max);
            }
        }
        return out.build();
    }
}
