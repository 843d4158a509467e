package xportdnn.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * Refuses a prototxt and caffemodel of which one has BatchNorm folded into the convolutions and the other not:
 * the export's {@code --fuse_bn} (and {@code --fast_finetune}, {@code --equalize}) writes a prototxt without
 * BatchNorm/Scale that belongs with the caffemodel it writes beside it. Caffe matches weights by layer name and
 * ignores the caffemodel's other layers, so the written prototxt with the original caffemodel would run, silently,
 * with every BatchNorm left out (ResNet-20: 8% top-1 instead of 80%).
 */
final class FoldingMismatch {

    private static final String HINT = "BatchNorm is folded into the convolutions in one file and not in the "
            + "other: a prototxt written with --fuse_bn (or --fast_finetune, --equalize) belongs with the caffemodel "
            + "that export wrote (--quantized_weights), and the original caffemodel with the original prototxt";

    private FoldingMismatch() {
    }

    /**
     * @param deploy the deploy net (upgraded, TEST phase)
     * @param stored the caffemodel's layers (upgraded), in their order
     */
    static void check(NetParameter deploy, List<LayerParameter> stored) {
        Set<String> deployNames = new HashSet<>();
        Map<String, LayerParameter> producer = new HashMap<>();
        Map<String, LayerParameter> firstReader = new HashMap<>();
        for (LayerParameter layer : deploy.getLayerList()) {
            deployNames.add(layer.getName());
            for (String bottom : layer.getBottomList()) {
                if (producer.containsKey(bottom)) {
                    firstReader.putIfAbsent(bottom, layer);
                }
            }
            for (String top : layer.getTopList()) {
                producer.putIfAbsent(top, layer);
            }
        }
        Set<String> storedNames = new HashSet<>();
        boolean storedBatchNorm = false;
        for (LayerParameter layer : stored) {
            storedNames.add(layer.getName());
            if (isNormalization(layer) && layer.getBlobsCount() > 0) {
                storedBatchNorm |= layer.getType().equals("BatchNorm");
                skippedByDeploy(layer, deployNames, producer, firstReader);
            }
        }
        if (!storedBatchNorm) {
            missingFromWeights(deploy, producer, storedNames);
        }
    }

    /** A prototxt BatchNorm after a convolution the caffemodel has, in a caffemodel without any BatchNorm. */
    private static void missingFromWeights(NetParameter deploy, Map<String, LayerParameter> producer,
                                           Set<String> storedNames) {
        for (LayerParameter layer : deploy.getLayerList()) {
            LayerParameter conv = layer.getBottomCount() == 0 ? null : producer.get(layer.getBottom(0));
            if (layer.getType().equals("BatchNorm") && !storedNames.contains(layer.getName()) && conv != null
                    && isLinear(conv) && storedNames.contains(conv.getName())) {
                throw ModelException.inLayer(layer.getName(), "the prototxt normalizes " + conv.getType() + " '"
                        + conv.getName() + "' with this BatchNorm, but the caffemodel holds no BatchNorm layer at "
                        + "all; " + HINT);
            }
        }
    }

    /**
     * A caffemodel BatchNorm/Scale right after a convolution whose output the prototxt reads without it: the blob it
     * reads (in place, as in ResNet-20) or the one it writes (a chain folded onto its last top, as --fuse_bn writes
     * it) is a convolution's output in the prototxt, and a later layer reads it.
     */
    private static void skippedByDeploy(LayerParameter layer, Set<String> deployNames,
                                        Map<String, LayerParameter> producer, Map<String, LayerParameter> firstReader) {
        if (deployNames.contains(layer.getName()) || layer.getBottomCount() == 0) {
            return;
        }
        for (String blob : layer.getTopCount() == 0 ? List.of(layer.getBottom(0))
                : List.of(layer.getBottom(0), layer.getTop(0))) {
            LayerParameter conv = producer.get(blob);
            LayerParameter reader = firstReader.get(blob);
            if (conv != null && reader != null && isLinear(conv)) {
                throw skipped(layer, blob, conv, reader);
            }
        } // else not part of the deploy net (a cut net, a training branch): nothing is skipped
    }

    private static ModelException skipped(LayerParameter layer, String blob, LayerParameter conv,
                                          LayerParameter reader) {
        return new ModelException("the caffemodel's " + layer.getType() + " layer '" + layer.getName()
                + "' normalizes the output '" + blob + "' of " + conv.getType() + " '" + conv.getName()
                + "', but the prototxt has no such layer (its '" + reader.getName() + "' reads '" + blob
                + "' directly), so the net would run without it; " + HINT);
    }

    private static boolean isNormalization(LayerParameter layer) {
        return layer.getType().equals("BatchNorm") || layer.getType().equals("Scale");
    }

    private static boolean isLinear(LayerParameter layer) {
        return switch (layer.getType()) {
            case "Convolution", "Deconvolution", "InnerProduct", "DepthwiseConvolution" -> true;
            default -> false;
        };
    }
}
