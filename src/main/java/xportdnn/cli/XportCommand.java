package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.InParamsOut;
import xportdnn.export.PrototxtWriter;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputFile;

/** The top-level {@code xportdnn} command: the original tool's flags, plus subcommands. */
@Command(name = "xportdnn", mixinStandardHelpOptions = true, version = "xportdnn 0.1.0",
        description = "Turns a float Caffe model into a CHaiDNN fixed-point model and checks it on the host.",
        subcommands = {InspectCommand.class, BenchCommand.class})
final class XportCommand implements Callable<Integer> {

    /** The original tool's two modes, spelled as it spells them. */
    enum QuantType { Xilinx, DynamicFixed }

    @Spec
    CommandSpec spec;

    @Option(names = "--quant_type", defaultValue = "Xilinx", paramLabel = "MODE",
            description = "Xilinx (per-channel thresholds) or DynamicFixed (fixed point with fractional lengths). "
                    + "Default: ${DEFAULT-VALUE}.")
    QuantType quantType;

    @Option(names = "--deploy_model", paramLabel = "PROTOTXT", description = "The float deploy prototxt.")
    Path deployModel;

    @Option(names = "--weights", paramLabel = "CAFFEMODEL", description = "Its trained weights.")
    Path weights;

    @Option(names = "--quantized_deploy_model", paramLabel = "PROTOTXT",
            description = "Where to write the quantized prototxt (never over an input).")
    Path quantizedDeployModel;

    @Option(names = "--bitwidths", paramLabel = "IN,PARAMS,OUT", defaultValue = "6,6,6",
            converter = InParamsOutConverter.class,
            description = "Total bits of the input activations, the weights and the output activations "
                    + "(CHaiDNN: 6 or 8). Default: ${DEFAULT-VALUE}.")
    InParamsOut bitwidths;

    @Option(names = "--fl_bitwidths", paramLabel = "IN,PARAMS,OUT", defaultValue = "2,5,2",
            converter = InParamsOutConverter.class,
            description = "DynamicFixed: fractional bits of the input activations, the convolution weights and the "
                    + "output activations. BatchNorm and Scale values get the largest fl that fits their values. "
                    + "Default: ${DEFAULT-VALUE}.")
    InParamsOut flBitwidths;

    @Option(names = "--allow_any_bitwidth", description = "Accept bitwidths other than 6 and 8.")
    boolean allowAnyBitwidth;

    @Override
    public Integer call() {
        if (spec.commandLine().getParseResult().originalArgs().isEmpty()) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        if (quantType == QuantType.Xilinx) {
            throw new ModelException("Xilinx mode is not implemented yet; use --quant_type DynamicFixed");
        }
        Path deploy = required(deployModel, "--deploy_model", "the float deploy prototxt");
        Path caffemodel = required(weights, "--weights", "the caffemodel");
        Path output = required(quantizedDeployModel, "--quantized_deploy_model", "the output prototxt");
        Net net = NetLoader.load(deploy, caffemodel);
        DynamicFixedExporter.Result result =
                DynamicFixedExporter.export(net, bitwidths, flBitwidths, allowAnyBitwidth);
        OutputFile.writeString(output, PrototxtWriter.print(result.net()), List.of(deploy, caffemodel));

        PrintWriter err = spec.commandLine().getErr();
        for (Map.Entry<String, Long> e : result.rebatchedInputs().entrySet()) {
            err.println("xportdnn: note: batch dimension of input '" + e.getKey() + "' set to 1 (was "
                    + e.getValue() + "): CHaiDNN runs one image at a time");
        }
        for (Layer layer : net.layers()) {
            if (ChaidnnSupport.of(layer.param()) == ChaidnnSupport.UNSUPPORTED) {
                err.println("xportdnn: warning: layer '" + layer.name() + "' (" + ChaidnnSupport.describe(layer.param())
                        + ") is not supported by CHaiDNN; the net will not run on the device as it is");
            }
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.println("xportdnn: wrote " + result.blockCount() + " DynamicFixed precision_param blocks (bitwidths "
                + bitwidths + ", fractional lengths " + flBitwidths + ") to " + output);
        out.flush();
        return 0;
    }

    private static Path required(Path value, String flag, String what) {
        if (value == null) {
            throw new ModelException("missing " + flag + " (" + what + ")");
        }
        return value;
    }
}
