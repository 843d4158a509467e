package xportdnn.cli;

import java.util.Map;
import xportdnn.export.ChaiDnnBitwidths;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.PrototxtWriter;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputFile;
import xportdnn.quant.DynamicFixedFormats;
import xportdnn.quant.InParamsOut;

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
        if (flags.flBitwidths.auto()) {
            CalibrationStep.checkFlags(flags);
        }
        Net net = NetLoader.load(flags.deployModel, flags.weights);
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
        Notes notes = new Notes(flags.spec.commandLine().getErr());
        notes.rebatched(result.rebatchedInputs());
        notes.unsupported(net);
        flags.spec.commandLine().getOut().println("xportdnn: wrote " + result.blockCount()
                + " DynamicFixed precision_param blocks (bitwidths " + flags.bitwidths + ", " + how + ") to "
                + flags.quantizedDeployModel);
        flags.spec.commandLine().getOut().flush();
    }
}
