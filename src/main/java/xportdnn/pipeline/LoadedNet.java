package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.List;
import xportdnn.export.BatchNormFolder;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

/**
 * The first step: the float net with its weights, and when asked, with BatchNorm/Scale folded into the
 * convolutions before them.
 *
 * @param net               the net every later step works on (the folded one when folded)
 * @param folded            what folding did, or null when the net was not folded
 * @param beforeFirstFolded the layers up to the first folded BatchNorm's input, from the net before folding (for
 *                          {@link BatchNormScaleCheck}), or null
 */
public record LoadedNet(Net net, BatchNormFolder.Result folded, BatchNormScaleCheck.Prefix beforeFirstFolded) {

    public static LoadedNet load(Path prototxt, Path caffemodel, boolean foldBatchNorm) {
        Net net = oneInput(prototxt, NetLoader.load(prototxt, caffemodel));
        if (!foldBatchNorm) {
            return new LoadedNet(net, null, null);
        }
        BatchNormFolder.Result folded = BatchNormFolder.fold(net);
        return new LoadedNet(NetLoader.build(folded.definition(), folded.weights()), folded,
                folded.folded().isEmpty() ? null : BatchNormScaleCheck.prefix(net));
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
