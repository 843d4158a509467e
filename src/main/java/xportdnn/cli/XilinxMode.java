package xportdnn.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import xportdnn.calib.BlobHistograms;
import xportdnn.export.BatchNormFolder;
import xportdnn.precision.ChaiDnnBitwidths;
import xportdnn.export.PrototxtWriter;
import xportdnn.export.ReportJson;
import xportdnn.export.XilinxExporter;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputFile;
import xportdnn.quant.LayerReport;
import xportdnn.quant.ThresholdMethod;
import xportdnn.quant.XilinxThresholds;

/**
 * {@code --quant_type Xilinx}: calibrate the float net on sample images, choose every activation threshold with
 * the chosen method and propagate it through the graph, take per-channel weight thresholds (from the fused weights
 * where BatchNorm/Scale follow a convolution), and write the CHaiDNN file.
 */
final class XilinxMode {

    private final XportCommand flags;

    XilinxMode(XportCommand flags) {
        this.flags = flags;
    }

    void run() {
        // Everything that can be refused is refused before the (long) calibration.
        ThresholdMethod method = ThresholdMethod.parse(flags.thresholdMethod);
        ChaiDnnBitwidths.check(flags.bitwidths, flags.allowAnyBitwidth);
        flags.checkFuseFlags();
        CalibrationStep.checkFlags(flags);
        List<Path> inputs = flags.inputFiles();

        Net net = NetLoader.load(flags.deployModel, flags.weights);
        BatchNormFolder.Result folded = null;
        if (flags.fuseBn) {
            folded = BatchNormFolder.fold(net);
            net = NetLoader.build(folded.definition(), folded.weights());
        }
        CalibrationStep.Result calibration = CalibrationStep.run(flags, net);
        Map<String, BlobHistograms> statistics = calibration.statistics();
        XilinxThresholds thresholds = XilinxThresholds.compute(net, statistics, method, flags.bitwidths.out());
        XilinxExporter.Result result = XilinxExporter.export(net, flags.bitwidths, thresholds, flags.allowAnyBitwidth);

        OutputFile.writeString(flags.quantizedDeployModel, PrototxtWriter.print(result.net()), inputs);
        if (folded != null) {
            OutputFile.write(flags.quantizedWeights, folded.weights().toByteArray(), inputs);
        }
        if (flags.report != null) {
            OutputFile.writeString(flags.report, ReportJson.of(method.name(), flags.bitwidths,
                    LayerReport.of(thresholds, statistics)), inputs);
        }

        Notes notes = new Notes(flags.spec.commandLine().getErr());
        notes.rebatched(result.rebatchedInputs());
        notes.unsupported(net);
        for (String where : result.zeroThresholds()) {
            notes.warning(where + " is 0 (all-zero weights, or values that were all zero on the calibration "
                    + "images); written as " + XilinxExporter.ZERO_THRESHOLD_STAND_IN + " since CHaiDNN divides by it");
        }
        if (folded != null && !folded.folded().isEmpty()) {
            notes.note("folded into convolutions: " + folded.folded());
        }
        flags.spec.commandLine().getOut().println("xportdnn: calibrated on " + calibration.images() + " images ("
                + method.name() + "); wrote " + result.blockCount() + " Xilinx precision_param blocks (bitwidths "
                + flags.bitwidths + ") to " + flags.quantizedDeployModel
                + (folded != null ? " and the folded weights to " + flags.quantizedWeights : ""));
        flags.spec.commandLine().getOut().flush();
    }
}
