package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import xportdnn.export.ReportJson;
import xportdnn.export.XilinxExporter;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.LayerReport;
import xportdnn.quant.ThresholdMethod;
import xportdnn.quant.XilinxThresholds;

/**
 * {@code quant_type: "Xilinx"}: every activation threshold chosen from the calibration statistics with
 * {@code method} and propagated through the graph, per-channel weight thresholds (of the fused weights where
 * BatchNorm/Scale follow a convolution), and optionally the per-layer report. With {@code simulatedOnly}, the
 * blocks of a scheme only the simulator runs ({@link XilinxThresholds#simulated}).
 */
record XilinxExport(ThresholdMethod method, InParamsOut bitwidths, boolean allowAnyBitwidth, boolean report,
                    boolean simulatedOnly) implements ExportScheme {

    /** CHaiDNN's Xilinx mode. */
    XilinxExport(ThresholdMethod method, InParamsOut bitwidths, boolean allowAnyBitwidth, boolean report) {
        this(method, bitwidths, allowAnyBitwidth, report, false);
    }

    @Override
    public boolean calibrates() {
        return true;
    }

    @Override
    public Exported export(Net net, Calibration calibration) {
        XilinxThresholds thresholds = simulatedOnly
                ? XilinxThresholds.simulated(net, calibration.statistics(), method, bitwidths.out())
                : XilinxThresholds.compute(net, calibration.statistics(), method, bitwidths.out());
        XilinxExporter.Result result = XilinxExporter.export(net, bitwidths, thresholds, allowAnyBitwidth);
        List<Notice> notices = new ArrayList<>(Notice.rebatched(result.rebatchedInputs()));
        notices.addAll(Notice.unsupported(net));
        notices.addAll(Notice.partialAverages(net));
        notices.addAll(SupportedLayersCheck.of(net));
        notices.addAll(SupportedLayersCheck.deconvolutionWidths(result.net()));
        notices.addAll(Notice.xilinxAverages(net));
        thresholds.warnings().forEach(w -> notices.add(Notice.warning(w)));
        thresholds.unevenInputs().forEach(w -> notices.add(Notice.warning(w)));
        for (String where : result.zeroThresholds()) {
            notices.add(Notice.warning(where + " " + XilinxExporter.ZERO_THRESHOLD + "; written as "
                    + XilinxExporter.ZERO_THRESHOLD_STAND_IN + ", as CHaiDNN divides by it"));
        }
        Function<NetParameter, Map<String, Object>> json = report ? written -> ReportJson.tree(method.name(),
                bitwidths, LayerReport.of(thresholds, calibration.statistics(), result.net(), written)) : null;
        return new Exported(result.net(), json, notices, "calibrated on " + calibration.images() + " images ("
                + method.name() + "); wrote " + result.blockCount() + " Xilinx precision_param blocks (bitwidths "
                + bitwidths + ")");
    }
}
