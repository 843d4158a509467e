package xportdnn.pipeline;

import java.nio.file.Path;
import xportdnn.export.BatchNormFolder;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

/**
 * The first step: the float net with its weights, and when asked, with BatchNorm/Scale folded into the
 * convolutions before them.
 *
 * @param net    the net every later step works on (the folded one when folded)
 * @param folded what folding did, or null when the net was not folded
 */
public record LoadedNet(Net net, BatchNormFolder.Result folded) {

    public static LoadedNet load(Path prototxt, Path caffemodel, boolean foldBatchNorm) {
        Net net = NetLoader.load(prototxt, caffemodel);
        if (!foldBatchNorm) {
            return new LoadedNet(net, null);
        }
        BatchNormFolder.Result folded = BatchNormFolder.fold(net);
        return new LoadedNet(NetLoader.build(folded.definition(), folded.weights()), folded);
    }
}
