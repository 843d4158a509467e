package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.ReportJson;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
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
 * @param folded whether the net was folded here; if not, a net whose fused weights the runtime would starve is
 *               refused
 * @param report whether the per-layer report (fl in, out, params) is made
 */
record DynamicFixedExport(InParamsOut bitwidths, InParamsOut fractionalLengths, boolean allowAnyBitwidth,
                          boolean folded, boolean report) implements ExportScheme {

    /** A uniform fl_params is refused where at least this fraction of a convolution's nonzero weights round to 0. */
    static final double MOSTLY_ZERO = 0.9;

    @Override
    public boolean calibrates() {
        return fractionalLengths == null;
    }

    @Override
    public void check(Net net) {
        Map<String, BatchNormFusion> fusions = BatchNormFusion.find(net);
        if (!folded) {
            checkRuntimeFusion(fusions);
        }
        if (fractionalLengths != null) {
            checkUniformWeights(net, fusions);
        }
    }

    @Override
    public Exported export(Net net, Calibration calibration) {
        DynamicFixedExporter.Result result;
        String how;
        List<String> uneven = List.of();
        if (calibrates()) {
            DynamicFixedFormats.Choice chosen = DynamicFixedFormats.choose(net, calibration.statistics(), bitwidths);
            uneven = chosen.unevenInputs();
            result = DynamicFixedExporter.export(net, bitwidths, chosen.formats()::get, allowAnyBitwidth);
            how = "fractional lengths chosen per layer on " + calibration.images() + " calibration images";
        } else {
            result = DynamicFixedExporter.export(net, bitwidths, fractionalLengths, allowAnyBitwidth);
            how = "fractional lengths " + fractionalLengths;
        }
        List<Notice> notices = new ArrayList<>(Notice.rebatched(result.rebatchedInputs()));
        notices.addAll(Notice.unsupported(net));
        notices.addAll(Notice.partialAverages(net));
        notices.addAll(SupportedLayersCheck.of(net));
        notices.addAll(Notice.dynamicFixedAverages(net));
        notices.addAll(BatchNormMeanCheck.of(net, result.net()));
        uneven.forEach(w -> notices.add(Notice.warning(w)));
        Function<NetParameter, Map<String, Object>> json = report ? written -> ReportJson.dynamicFixedTree(bitwidths,
                calibrates() ? "auto" : "uniform", written) : null;
        return new Exported(result.net(), json, notices, "wrote " + result.blockCount()
                + " DynamicFixed precision_param blocks (bitwidths " + bitwidths + ", " + how + ")");
    }

    /**
     * The runtime fuses Convolution -> BatchNorm -> Scale itself and then picks the fused weights' format from
     * their magnitude alone (algorithms.md C: integer bits 1 for any max |w'| below 1), so small fused weights keep
     * few levels. Where that costs more than two bits the model would not work: refuse, and point to --fuse_bn,
     * which folds them here and gives the folded weights a format of their own.
     */
    private void checkRuntimeFusion(Map<String, BatchNormFusion> fusions) {
        int bw = bitwidths.params();
        List<String> starved = new ArrayList<>();
        String first = null;
        for (BatchNormFusion fusion : fusions.values()) {
            double max = maxAbs(fusion.weights().data());
            int fl = DynamicFixedScheme.fusedWeightsFl(max, bw);
            double levels = max * Math.pow(2, fl);
            if (levels < DynamicFixed.maxCode(bw) / 4.0) {
                starved.add(fusion.convolution().name());
                if (first == null) {
                    first = String.format(Locale.ROOT, "layer '%s': the runtime fuses it with its BatchNorm/Scale and "
                            + "leaves the fused weights %.0f of %d levels", fusion.convolution().name(),
                            Math.floor(levels), DynamicFixed.maxCode(bw));
                }
            }
        }
        if (first != null) {
            throw new ModelException(first + (starved.size() > 1 ? " (and " + (starved.size() - 1) + " more layers)"
                    : "") + "; pass --fuse_bn --quantized_weights W to fold BatchNorm here");
        }
    }

    /** A uniform fl_params at which (nearly) all of a convolution's weights round to zero is refused. */
    private void checkUniformWeights(Net net, Map<String, BatchNormFusion> fusions) {
        int bw = bitwidths.params();
        int fl = fractionalLengths.params();
        for (Layer layer : net.layers()) {
            if (!layer.type().equals("Convolution") || layer.weights().isEmpty()
                    || (!folded && fusions.containsKey(layer.name()))) {
                continue; // the runtime chooses fused weights' format itself (checkRuntimeFusion)
            }
            float[] w = layer.weights().get(0).data();
            long nonzero = 0;
            long zeroed = 0;
            for (float v : w) {
                if (v != 0) {
                    nonzero++;
                    zeroed += DynamicFixed.quantize(v, bw, fl) == 0 ? 1 : 0;
                }
            }
            if (nonzero > 0 && zeroed >= MOSTLY_ZERO * nonzero) {
                throw new ModelException(String.format(Locale.ROOT, "layer '%s': fl_params %d rounds %s of its "
                        + "weights to 0 (max |w| %.3g); give --fl_bitwidths a weights fl of %d, or 'auto'",
                        layer.name(), fl, share(zeroed, nonzero), maxAbs(w), DynamicFixed.largestFl(w, bw)));
            }
        }
    }

    /**
     * "all", or the share in percent rounded down to a tenth, so that a few weights that survive are never shown as
     * "100%".
     */
    static String share(long part, long whole) {
        return part == whole ? "all" : String.format(Locale.ROOT, "%.1f%%", Math.floor(1000.0 * part / whole) / 10);
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
