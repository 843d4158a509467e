package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xportdnn.model.ActivationFootprint;
import xportdnn.model.Blob;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.pipeline.SupportedLayersCheck;

/** {@code xportdnn inspect}: what a net holds and what of it CHaiDNN can run, without quantizing anything. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Lists every layer of a Caffe net: type, blobs, output shape, parameter count and where "
                + "CHaiDNN runs it (device, device (fused) for a ReLU it fuses into the convolution before it, software on "
                + "the host CPU, or UNSUPPORTED), then the totals; on stderr, the export's warnings of layers CHaiDNN's "
                + "supported-layers table does not list or its runtime stops at."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--deploy_model", required = true, paramLabel = "PROTOTXT",
            description = "The deploy prototxt.")
    Path deployModel;

    @Option(names = "--weights", paramLabel = "CAFFEMODEL",
            description = "The trained caffemodel; when given, its blobs are checked against the prototxt.")
    Path weights;

    @Option(names = "--memory", description = "Instead of the layer table: the float memory of one image, per layer "
            + "(the activation bytes it writes, the activation bytes live while it runs, buffers freed after their last "
            + "reader, and its parameters' bytes), the peak (the net's activation footprint) and the parameters' total.")
    boolean memory;

    @Override
    public Integer call() {
        Net net = NetLoader.load(deployModel, weights);
        PrintWriter out = spec.commandLine().getOut();
        out.print(memory ? memoryTable(net) : table(net));
        out.println(summary(net));
        List<String> unsupported = unsupported(net);
        if (!unsupported.isEmpty()) {
            out.println(unsupported.size() + " layer" + (unsupported.size() == 1 ? "" : "s")
                    + " unsupported by CHaiDNN: " + String.join(", ", unsupported));
        }
        out.flush();
        // what the export would warn of before writing anything: layers the device lists no such setting for, or
        // that its runtime stops at (a BatchNorm without its Scale, a Deconvolution its parser refuses)
        new Notes(spec.commandLine().getErr()).print(SupportedLayersCheck.of(net));
        return 0;
    }

    /** What the table says for a plain ReLU that CHaiDNN runs fused into the convolution before it. */
    static final String FUSED = "device (fused)";

    static String table(Net net) {
        TextTable table = new TextTable("name", "type", "bottoms -> tops", "output shape", ">parameters", "CHaiDNN");
        Set<String> convolutionOutputs = new HashSet<>();
        for (Layer layer : net.layers()) {
            ChaidnnSupport support = ChaidnnSupport.of(layer.param());
            String label = support.label();
            boolean readsConvolution = layer.bottoms().size() == 1
                    && convolutionOutputs.contains(layer.bottoms().get(0));
            if (layer.type().equals("ReLU") && support == ChaidnnSupport.SOFTWARE && readsConvolution) {
                label = FUSED;
            }
            // a convolution's output, also through the BatchNorm/Scale the runtime fuses into it
            boolean convolutionOutput = layer.type().equals("Convolution")
                    || ((layer.type().equals("BatchNorm") || layer.type().equals("Scale")) && readsConvolution);
            for (String top : layer.tops()) {
                if (convolutionOutput) {
                    convolutionOutputs.add(top);
                } else {
                    convolutionOutputs.remove(top);
                }
            }
            table.add(layer.name(), layer.type(),
                    (blobs(layer.bottoms()) + " -> " + blobs(layer.tops())).strip(),
                    String.join(", ", layer.topShapes().stream().map(Blob::describe).toList()),
                    String.format("%,d", net.parameterCount(layer)), label);
        }
        return table.render();
    }

    /** Bits of a float32 value. */
    private static final int FLOAT_BITS = 32;

    private static final long FLOAT_BYTES = FLOAT_BITS / 8;

    static String memoryTable(Net net) {
        ActivationFootprint.Result footprint = ActivationFootprint.of(net, blob -> FLOAT_BITS);
        TextTable table = new TextTable("name", "type", ">writes (bytes)", ">live (bytes)", ">parameters (bytes)");
        for (ActivationFootprint.Step step : footprint.steps()) {
            Layer layer = net.layer(step.layer());
            table.add(step.layer(), layer.type(), String.format("%,d", step.outputBytes()),
                    String.format("%,d", step.liveBytes()), String.format("%,d", FLOAT_BYTES * net.parameterCount(layer)));
        }
        return table.render() + String.format("activation footprint (float32, one image): %,d bytes at the peak%n",
                footprint.peakBytes())
                + String.format("parameters (float32): %,d bytes%n", FLOAT_BYTES * net.parameterCount());
    }

    /** Up to two blob names; longer lists (an SSD head's Concat of every scale) as the first and a count. */
    private static String blobs(List<String> names) {
        return names.size() <= 2 ? String.join(", ", names) : names.get(0) + " + " + (names.size() - 1) + " more";
    }

    static String summary(Net net) {
        int layers = net.layers().size();
        return String.format("%d layer%s, %,d parameters, %,d multiply-adds per image", layers, layers == 1 ? "" : "s",
                net.parameterCount(), net.multiplyAddsPerImage());
    }

    private static List<String> unsupported(Net net) {
        List<String> names = new ArrayList<>();
        for (Layer layer : net.layers()) {
            if (ChaidnnSupport.of(layer.param()) == ChaidnnSupport.UNSUPPORTED) {
                names.add(layer.name() + " (" + ChaidnnSupport.describe(layer.param()) + ")");
            }
        }
        return names;
    }
}
