package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xportdnn.equalize.CrossLayerEqualization;
import xportdnn.equalize.OutputDistribution;
import xportdnn.export.BatchNormFolder;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.BatchNormFusion;

/**
 * The first step: the float net with its weights, and when asked, with BatchNorm/Scale folded into the
 * convolutions before them, then equalized across layers.
 *
 * @param net               the net every later step works on (the folded one when folded)
 * @param folded            what folding did, or null when the net was not folded
 * @param beforeFirstFolded the layers up to the first folded BatchNorm's input, from the net before folding (for
 *                          {@link BatchNormScaleCheck}), or null
 * @param equalized         what cross-layer equalization did (on the folded net), or null when not asked
 */
public record LoadedNet(Net net, BatchNormFolder.Result folded, BatchNormScaleCheck.Prefix beforeFirstFolded,
                        CrossLayerEqualization.Result equalized) {

    public static LoadedNet load(Path prototxt, Path caffemodel, boolean foldBatchNorm) {
        return load(prototxt, caffemodel, foldBatchNorm, false);
    }

    /** With {@code equalize}, folds first whatever {@code foldBatchNorm} says (equalization needs folded weights). */
    public static LoadedNet load(Path prototxt, Path caffemodel, boolean foldBatchNorm, boolean equalize) {
        Net net = oneInput(prototxt, NetLoader.load(prototxt, caffemodel));
        if (!foldBatchNorm && !equalize) {
            return new LoadedNet(net, null, null, null);
        }
        BatchNormFolder.Result folded = BatchNormFolder.fold(net);
        Net foldedNet = NetLoader.build(folded.definition(), folded.weights());
        CrossLayerEqualization.Result equalized = equalize
                ? CrossLayerEqualization.run(foldedNet, outputDistributions(net)) : null;
        return new LoadedNet(equalized == null ? foldedNet : equalized.net(), folded,
                folded.folded().isEmpty() ? null : BatchNormScaleCheck.prefix(net), equalized);
    }

    /** Per convolution with a BatchNorm to fold, the distribution it gives its output (for bias absorption). */
    private static Map<String, OutputDistribution> outputDistributions(Net net) {
        Map<String, OutputDistribution> distributions = new LinkedHashMap<>();
        BatchNormFusion.find(net).forEach((conv, fusion) -> {
            OutputDistribution d = fusion.outputDistribution();
            if (d != null) {
                distributions.put(conv, d);
            }
        });
        return distributions;
    }

    /** The caffemodel of {@link #net} when it is not the file loaded (folded, equalized), else null. */
    public NetParameter caffemodel() {
        return equalized != null ? equalized.caffemodel() : folded == null ? null : folded.weights();
    }

    /**
     * {@code net}, refused naming {@code prototxt} when it has other than one input (none, or several): every
     * command feeds it one image (or one array) at a time.
     */
    public static Net oneInput(Path prototxt, Net net) {
        List<String> inputs = net.inputBlobs();
        if (inputs.size() != 1) {
            throw new ModelException(prototxt + ": the net has " + (inputs.isEmpty()
                    ? "no input (an Input layer or an input: field)"
                    : inputs.size() + " inputs (" + String.join(", ", inputs) + ")")
                    + "; xportdnn and CHaiDNN run nets of one image input");
        }
        return net;
    }
}
