package xportdnn.cli;

import java.util.Locale;
import java.util.Map;
import xportdnn.export.BatchNormFolder;
import xportdnn.precision.ChaiDnnBitwidths;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.PrototxtWriter;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputFile;
import xportdnn.quant.BatchNormFusion;
import xportdnn.precision.DynamicFixed;
import xportdnn.precision.DynamicFixedScheme;
import xportdnn.quant.DynamicFixedFormats;
import xportdnn.precision.InParamsOut;

/**
 * {@code --quant_type DynamicFixed}: the user's Q.F on every block, or with {@code --fl_bitwidths auto} formats
 * chosen per layer from calibration; BatchNorm/Scale formats always from their values.
 */
final class DynamicFixedMode {

    private final XportCommand flags;

    DynamicFixedMode(XportCommand flags) {
        this.flags = flags;
    }

    void run() {
        ChaiDnnBitwidths.check(flags.bitwidths, flags.allowAnyBitwidth);
        flags.checkFuseFlags();
        if (flags.flBitwidths.auto()) {
            CalibrationStep.checkFlags(flags);
        }
        Net net = NetLoader.load(flags.deployModel, flags.weights);
        BatchNormFolder.Result folded = null;
        if (flags.fuseBn) {
            folded = BatchNormFolder.fold(net);
            net = NetLoader.build(folded.definition(), folded.weights());
        }
        DynamicFixedExporter.Result result;
        String how;
        if (flags.flBitwidths.auto()) {
            CalibrationStep.Result calibration = CalibrationStep.run(flags, net);
            Map<String, InParamsOut> formats = DynamicFixedFormats.choose(net, calibration.statistics(),
                    flags.bitwidths);
            result = DynamicFixedExporter.export(net, flags.bitwidths, formats::get, flags.allowAnyBitwidth);
            how = "fractional lengths chosen per layer on " + calibration.images() + " calibration images";
        } else {
            result = DynamicFixedExporter.export(net, flags.bitwidths, flags.flBitwidths.uniform(),
                    flags.allowAnyBitwidth);
            how = "fractional lengths " + flags.flBitwidths;
        }
        OutputFile.writeString(flags.quantizedDeployModel, PrototxtWriter.print(result.net()),
                flags.inputFiles());
        if (folded != null) {
            OutputFile.write(flags.quantizedWeights, folded.weights().toByteArray(), flags.inputFiles());
        }
        Notes notes = new Notes(flags.spec.commandLine().getErr());
        notes.rebatched(result.rebatchedInputs());
        notes.unsupported(net);
        if (folded == null) {
            warnAboutRuntimeFusion(net, notes);
        }
        flags.spec.commandLine().getOut().println("xportdnn: wrote " + result.blockCount()
                + " DynamicFixed precision_param blocks (bitwidths " + flags.bitwidths + ", " + how + ") to "
                + flags.quantizedDeployModel + (folded != null ? " and the folded weights to " + flags.quantizedWeights : ""));
        flags.spec.commandLine().getOut().flush();
    }

    /**
     * The runtime fuses Convolution -> BatchNorm -> Scale itself and then picks the fused weights' format from
     * their magnitude alone (algorithms.md C: integer bits 1 for any max |w'| below 1), so small fused weights keep
     * few levels. Say so where it costs more than two bits, and point to --fuse_bn, which folds them here and gives
     * the folded weights a format of their own.
     */
    private void warnAboutRuntimeFusion(Net net, Notes notes) {
        int bw = flags.bitwidths.params();
        for (BatchNormFusion fusion : BatchNormFusion.find(net).values()) {
            float max = 0;
            for (float w : fusion.weights().data()) {
                max = Math.max(max, Math.abs(w));
            }
            int fl = DynamicFixedScheme.fusedWeightsFl(max, bw);
            double levels = max * Math.pow(2, fl);
            if (levels < DynamicFixed.maxCode(bw) / 4.0) {
                notes.warning(String.format(Locale.ROOT, "layer '%s': CHaiDNN fuses it with %s and quantizes the "
                        + "fused weights (max |w| %.3g) with fl %d, which leaves them %.0f of %d levels; pass --fuse_bn "
                        + "--quantized_weights W to fold them here with a format that fits", fusion.convolution().name(),
                        fusion.fusedLayers().stream().map(l -> l.name()).toList(), max, fl,
                        Math.floor(levels), DynamicFixed.maxCode(bw)));
            }
        }
    }
}
