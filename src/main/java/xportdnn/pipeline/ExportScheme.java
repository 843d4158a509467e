package xportdnn.pipeline;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ThresholdMethod;

/**
 * One CHaiDNN {@code quant_type} as the export runs it: whether it needs calibration statistics, and how it turns
 * the float net (and those statistics) into the quantized net. The load, calibration and writing around it are
 * the same for every scheme ({@link ExportPipeline}).
 */
public interface ExportScheme {

    /** Xilinx mode as the exporter runs it: activation thresholds by {@code method}, any bitwidths accepted. */
    static ExportScheme xilinx(ThresholdMethod method, InParamsOut bitwidths) {
        return new XilinxExport(method, bitwidths, true, false);
    }

    /**
     * Xilinx blocks for a scheme only the simulator runs (compare's naive and aciq): as {@link #xilinx}, but a
     * product's or weighted sum's inputs keep their own thresholds ({@link
     * xportdnn.quant.XilinxThresholds#simulated}).
     */
    static ExportScheme simulatedXilinx(ThresholdMethod method, InParamsOut bitwidths) {
        return new XilinxExport(method, bitwidths, true, false, true);
    }

    /**
     * DynamicFixed mode with formats chosen per layer from calibration ({@code --fl_bitwidths auto}), any bitwidths
     * accepted.
     *
     * @param folded whether the net was folded (BatchNorm/Scale into the convolutions) before
     */
    static ExportScheme dynamicFixed(InParamsOut bitwidths, boolean folded) {
        return new DynamicFixedExport(bitwidths, null, true, folded, false);
    }

    /** Whether {@link #export} needs a {@link Calibration}. */
    boolean calibrates();

    /**
     * Refuses, before any calibration, a net this scheme would export into a model that cannot work (e.g. a
     * convolution whose weights keep almost no levels), with a {@link xportdnn.model.ModelException} that names the
     * layer and the flag that fixes it.
     */
    default void check(Net net) {
    }

    /**
     * @param net         the float net (folded when the run folds BatchNorm)
     * @param calibration its statistics, or null when the scheme does not calibrate
     */
    Exported export(Net net, Calibration calibration);

    /**
     * What a scheme made.
     *
     * @param net     the quantized net to write
     * @param report  the per-layer report as a JSON tree of the net as finally written (this record's {@code net},
     *                or that net with the output formats {@code --fast_finetune} changed), or null when the scheme
     *                writes none
     * @param notices what the user should know about it, in order
     * @param summary one line, e.g. "calibrated on 8 images (kl-j); wrote 12 Xilinx precision_param blocks
     *                (bitwidths 8,8,8)"
     */
    record Exported(NetParameter net, Function<NetParameter, Map<String, Object>> report, List<Notice> notices,
                    String summary) {
    }
}
