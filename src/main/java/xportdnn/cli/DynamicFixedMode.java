package xportdnn.cli;

import java.util.List;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.PrototxtWriter;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputFile;

/** {@code --quant_type DynamicFixed}: the user's Q.F on every block, BatchNorm/Scale formats from their values. */
final class DynamicFixedMode {

    private final XportCommand flags;

    DynamicFixedMode(XportCommand flags) {
        this.flags = flags;
    }

    void run() {
        Net net = NetLoader.load(flags.deployModel, flags.weights);
        DynamicFixedExporter.Result result =
                DynamicFixedExporter.export(net, flags.bitwidths, flags.flBitwidths, flags.allowAnyBitwidth);
        OutputFile.writeString(flags.quantizedDeployModel, PrototxtWriter.print(result.net()),
                List.of(flags.deployModel, flags.weights));
        Notes notes = new Notes(flags.spec.commandLine().getErr());
        notes.rebatched(result.rebatchedInputs());
        notes.unsupported(net);
        flags.spec.commandLine().getOut().println("xportdnn: wrote " + result.blockCount()
                + " DynamicFixed precision_param blocks (bitwidths " + flags.bitwidths + ", fractional lengths "
                + flags.flBitwidths + ") to " + flags.quantizedDeployModel);
        flags.spec.commandLine().getOut().flush();
    }
}
