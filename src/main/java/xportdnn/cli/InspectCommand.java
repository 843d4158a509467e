package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xportdnn.model.Blob;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

/** {@code xportdnn inspect}: what a net holds and what of it CHaiDNN can run, without quantizing anything. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Lists every layer of a Caffe net: type, blobs, output shape, parameter count and where "
                + "CHaiDNN runs it (device, software on the host CPU, or UNSUPPORTED), then the totals."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--deploy_model", required = true, paramLabel = "PROTOTXT",
            description = "The deploy prototxt.")
    Path deployModel;

    @Option(names = "--weights", paramLabel = "CAFFEMODEL",
            description = "The trained caffemodel; when given, its blobs are checked against the prototxt.")
    Path weights;

    @Override
    public Integer call() {
        Net net = NetLoader.load(deployModel, weights);
        PrintWriter out = spec.commandLine().getOut();
        out.print(table(net));
        out.println(summary(net));
        List<String> unsupported = unsupported(net);
        if (!unsupported.isEmpty()) {
            out.println(unsupported.size() + " layer" + (unsupported.size() == 1 ? "" : "s")
                    + " unsupported by CHaiDNN: " + String.join(", ", unsupported));
        }
        out.flush();
        return 0;
    }

    static String table(Net net) {
        TextTable table = new TextTable("name", "type", "bottoms -> tops", "output shape", ">parameters", "CHaiDNN");
        for (Layer layer : net.layers()) {
            table.add(layer.name(), layer.type(),
                    (blobs(layer.bottoms()) + " -> " + blobs(layer.tops())).strip(),
                    String.join(", ", layer.topShapes().stream().map(Blob::describe).toList()),
                    String.format("%,d", net.parameterCount(layer)),
                    ChaidnnSupport.of(layer.param()).label());
        }
        return table.render();
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
