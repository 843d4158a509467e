package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.model.Net;
import xportdnn.precision.DynamicFixed;
import xportdnn.precision.DynamicFixedScheme;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.BatchNormFusion;
import xportdnn.quant.DynamicFixedFormats;

/**
 * {@code quant_type: "DynamicFixed"}: the user's Q.F on every block ({@code fractionalLengths}), or, when it is
 * null ({@code --fl_bitwidths auto}), formats chosen per layer from calibration; BatchNorm/Scale formats always
 * from their values.
 *
 * @param folded whether the net was folded here; if not, fused weights the runtime would starve are warned about
 */
record DynamicFixedExport(InParamsOut bitwidths, InParamsOut fractionalLengths, boolean allowAnyBitwidth,
                          boolean folded) implements ExportScheme {

    @Override
    public boolean calibrates() {
        return fractionalLengths == null;
    }

    @Override
    public Exported export(Net net, Calibration calibration) {
        DynamicFixedExporter.Result result;
        String how;
        if (calibrates()) {
            Map<String, InParamsOut> formats = DynamicFixedFormats.choose(net, calibration.statistics(), bitwidths);
            result = DynamicFixedExporter.export(net, bitwidths, formats::get, allowAnyBitwidth);
            how = "fractional lengths chosen per layer on " + calibration.images() + " calibration images";
        } else {
            result = DynamicFixedExporter.export(net, bitwidths, fractionalLengths, allowAnyBitwidth);
            how = "fractional lengths " + fractionalLengths;
        }
        List<Notice> notices = new ArrayList<>(Notice.rebatched(result.rebatchedInputs()));
        notices.addAll(Notice.unsupported(net));
        if (!folded) {
            notices.addAll(runtimeFusionWarnings(net));
        }
        return new Exported(result.net(), null, notices, "wrote " + result.blockCount()
                + " DynamicFixed precision_param blocks (bitwidths " + bitwidths + ", " + how + ")");
    }

    /**
     * The runtime fuses Convolution -> BatchNorm -> Scale itself and then picks the fused weights' format from
     * their magnitude alone (algorithms.md C: integer bits 1 for any max |w'| below 1), so small fused weights keep
     * few levels. Say so where it costs more than two bits, and point to --fuse_bn, which folds them here and gives
     * the folded weights a format of their own.
     */
    private List<Notice> runtimeFusionWarnings(Net net) {
        List<Notice> warnings = new ArrayList<>();
        int bw = bitwidths.params();
        for (BatchNormFusion fusion : BatchNormFusion.find(net).values()) {
            float max = 0;
            for (float w : fusion.weights().data()) {
                max = Math.max(max, Math.abs(w));
            }
            int fl = DynamicFixedScheme.fusedWeightsFl(max, bw);
            double levels = max * Math.pow(2, fl);
            if (levels < DynamicFixed.maxCode(bw) / 4.0) {
                warnings.add(Notice.warning(String.format(Locale.ROOT, "layer '%s': CHaiDNN fuses it with %s and "
                        + "quantizes the fused weights (max |w| %.3g) with fl %d, which leaves them %.0f of %d levels; "
                        + "pass --fuse_bn --quantized_weights W to fold them here with a format that fits",
                        fusion.convolution().name(), fusion.fusedLayers().stream().map(l -> l.name()).toList(), max,
                        fl, Math.floor(levels), DynamicFixed.maxCode(bw))));
            }
        }
        return warnings;
    }
}
