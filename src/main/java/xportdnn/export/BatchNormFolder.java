package xportdnn.export;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import xportdnn.model.Blob;
import xportdnn.model.BlobProtos;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.BatchNormFusion;

/**
 * {@code --fuse_bn}: folds every BatchNorm/Scale chain that the CHaiDNN runtime fuses into the convolution before
 * it ({@link BatchNormFusion}) into that convolution's weights and bias, and removes the folded layers, so that the
 * float net computes the same with fewer layers. A folded convolution gets {@code bias_term: true} (and a bias
 * blob if it had none) and writes the blob the last folded layer wrote, so every later reader stays wired.
 *
 * <p>Folding repeats until no chain is left: a chain holds one BatchNorm and one Scale, so after Convolution,
 * BatchNorm, Scale, Scale the second Scale would otherwise stay behind the folded convolution, a chain the runtime
 * fuses again, while what is computed from the folded net (fast finetune's targets, equalization) takes the
 * convolution's output for the chain's.
 */
public final class BatchNormFolder {

    /**
     * @param definition the net without the folded layers (no blobs)
     * @param weights    the caffemodel: the definition's layers with their learned blobs, the folded convolutions'
     *                   fused; {@code weights.toByteArray()} is the binary file
     * @param folded     per folded convolution, the names of the layers folded into it, in order; the last one's
     *                   output is what the convolution now outputs
     */
    public record Result(NetParameter definition, NetParameter weights, Map<String, List<String>> folded) {
    }

    private BatchNormFolder() {
    }

    /** @throws xportdnn.model.ModelException when a fused layer's learned values are missing */
    public static Result fold(Net net) {
        Result result = foldOnce(net);
        Map<String, List<String>> folded = new LinkedHashMap<>(result.folded());
        while (!result.folded().isEmpty()) {
            Net rest = NetLoader.build(result.definition(), result.weights());
            Result again = foldOnce(rest);
            if (again.folded().isEmpty()) {
                break;
            }
            again.folded().forEach((conv, layers) -> folded.merge(conv, layers,
                    (before, more) -> Stream.concat(before.stream(), more.stream()).toList()));
            result = again;
        }
        return new Result(result.definition(), result.weights(), folded);
    }

    private static Result foldOnce(Net net) {
        Map<String, BatchNormFusion> fusions = BatchNormFusion.find(net);
        Set<String> removed = fusions.values().stream().flatMap(f -> f.fusedLayers().stream()).map(Layer::name)
                .collect(Collectors.toSet());
        NetParameter.Builder definition = net.definition().toBuilder().clearLayer();
        NetParameter.Builder weights = net.definition().toBuilder().clearLayer();
        Map<String, List<String>> folded = new LinkedHashMap<>();
        for (Layer layer : net.layers()) {
            if (removed.contains(layer.name())) {
                continue;
            }
            LayerParameter.Builder l = layer.param().toBuilder();
            List<Blob> blobs = layer.weights();
            BatchNormFusion fusion = fusions.get(layer.name());
            if (fusion != null) {
                l.setTop(0, fusion.outputBlob());
                l.getConvolutionParamBuilder().setBiasTerm(true);
                float[] bias = fusion.bias();
                blobs = List.of(fusion.weights(), new Blob(new int[] {bias.length}, bias));
                folded.put(layer.name(), fusion.fusedLayers().stream().map(Layer::name).toList());
            }
            definition.addLayer(l);
            LayerParameter.Builder stored = l.clone();
            blobs.forEach(b -> stored.addBlobs(BlobProtos.of(b)));
            weights.addLayer(stored);
        }
        return new Result(definition.build(), weights.build(), folded);
    }
}
