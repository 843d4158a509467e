package xportdnn.pipeline;

import static xportdnn.pipeline.SupportedLayersCheck.DEVICE_MAY_NOT_RUN;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.quant.BatchNormPair;

/**
 * The part of {@link BatchNormPairsCheck} about how a BatchNorm/Scale pair is written, from CHaiDNN's runtime
 * (software/xtract/xtract_opt.cpp at 271b3cc). Two steps take a pair: {@code opt_conv_bn_scale} fuses it into the
 * Convolution before it, either when the BatchNorm and the Scale both work in place on the convolution's output or,
 * when neither does, once for each layer that reads the Scale's output, up to the first ReLU among them (it calls
 * {@code fuseBNScaleConvParams} in its loop over them); {@code opt_batchNorm} makes any other pair one OPCODE_BN op,
 * when both are in place or, when neither is, for the layers reading the Scale's output. So a pair of one layer in
 * place and one not, or of neither in place with no layer reading the Scale's output, is taken by neither step: the
 * runtime stops at the layers left alone ({@link #untaken}). And a pair neither in place whose Scale output two
 * layers read is taken twice ({@link #takenOnceMore}): fused into a convolution, when both come before any ReLU, it
 * scales the convolution's weights twice; as an op of its own, it makes two ops.
 */
final class BatchNormChainCheck {

    private BatchNormChainCheck() {
    }

    /**
     * The device's pairs (each BatchNorm with its Scale, from {@code pairs}) that neither step takes, each BatchNorm
     * with why, in net order.
     */
    static Map<BatchNormPair, String> untaken(Net net, List<BatchNormPair> pairs) {
        Map<BatchNormPair, String> untaken = new LinkedHashMap<>();
        for (BatchNormPair p : pairs) {
            Layer bn = p.batchNorm();
            Layer scale = p.scale();
            if (ChaidnnSupport.of(bn.param()) != ChaidnnSupport.DEVICE) {
                continue;
            }
            boolean read = !p.scaleReaders(net).isEmpty();
            if (bn.inPlace() && !scale.inPlace()) {
                untaken.put(p, "the BatchNorm in place, the Scale not");
            } else if (!bn.inPlace() && scale.inPlace() && (read || fusingConvolution(net, bn, scale) == null)) {
                // with no reader, opt_conv_bn_scale still fuses it once: the Scale is the one consumer of its blob
                untaken.put(p, "the Scale in place, the BatchNorm not");
            } else if (!bn.inPlace() && !scale.inPlace() && !read) {
                untaken.put(p, "no layer reads the Scale's output");
            }
        }
        return untaken;
    }

    /** The warning naming the {@link #untaken} pairs, if any; with the hint of --fuse_bn where it folds one. */
    static List<Notice> untakenWarning(Map<BatchNormPair, String> untaken, Set<Layer> fused) {
        if (untaken.isEmpty()) {
            return List.of();
        }
        List<String> named = new ArrayList<>();
        untaken.forEach((p, why) -> named.add("'" + p.batchNorm().name() + "' and '" + p.scale().name() + "' ("
                + why + ")"));
        boolean foldable = untaken.keySet().stream().map(BatchNormPair::batchNorm).anyMatch(fused::contains);
        return List.of(Notice.warning("BatchNorm/Scale pair" + (named.size() == 1 ? " " : "s ")
                + String.join(", ", named) + ": CHaiDNN's runtime fuses a pair into the Convolution before it or "
                + "runs it as one op of its own only when both layers work in place or neither does, and then for "
                + "the layers that read the Scale's output (xtract_opt.cpp, opt_conv_bn_scale and opt_batchNorm); it "
                + "leaves these alone and stops at them ([EO005] Layer opcode: Layer is not support), "
                + DEVICE_MAY_NOT_RUN + " them as written; write both in place or neither, with a layer reading the "
                + "Scale's output" + (foldable ? ", or fold the ones after a Convolution into it here with --fuse_bn "
                + "--quantized_weights W" : "") + "; validate computes them as written"));
    }

    /**
     * The warning naming the device's pairs, neither in place, that the runtime takes more than once: one step for
     * each layer reading the Scale's output. {@code opt_conv_bn_scale} fuses a pair into the Convolution before it
     * once per reader up to the first ReLU among them (that one included), each time multiplying the weights by
     * gamma / sqrt(var + eps) again; {@code opt_batchNorm} (271b3cc) makes any other such pair one OPCODE_BN op per
     * reader, a ReLU (in place or not) or not, with no stop: each op writes the Scale's output (or the ReLU's) and
     * erases the BatchNorm and Scale layers again, through map iterators already erased.
     */
    static List<Notice> takenOnceMore(Net net, List<BatchNormPair> pairs) {
        List<String> named = new ArrayList<>();
        boolean foldable = false;
        for (BatchNormPair p : pairs) {
            Layer bn = p.batchNorm();
            Layer scale = p.scale();
            if (bn.inPlace() || scale.inPlace()) {
                continue;
            }
            Layer conv = fusingConvolution(net, bn, scale);
            List<Layer> readers = p.scaleReaders(net);
            String pair = "'" + bn.name() + "' and '" + scale.name() + "'";
            if (conv != null && ChaidnnSupport.of(conv.param()) == ChaidnnSupport.DEVICE) {
                int fusions = fusions(readers);
                if (fusions > 1) {
                    named.add(pair + " after Convolution '" + conv.name() + "' (" + fusions + " fusions, for "
                            + names(readers.subList(0, fusions)) + ")");
                    foldable = true;
                }
            } else if (conv == null && ChaidnnSupport.of(bn.param()) == ChaidnnSupport.DEVICE && readers.size() > 1) {
                named.add(pair + " (" + readers.size() + " OPCODE_BN ops, for " + names(readers) + ")");
            }
        }
        if (named.isEmpty()) {
            return List.of();
        }
        return List.of(Notice.warning("BatchNorm/Scale pair" + (named.size() == 1 ? " " : "s ")
                + String.join(", ", named) + ": CHaiDNN's runtime takes a pair neither in place once for each layer "
                + "reading the Scale's output (xtract_opt.cpp): opt_conv_bn_scale fuses one after a convolution into "
                + "it for each up to the first ReLU among them, multiplying the weights by gamma / sqrt(var + eps) "
                + "each time (fuseBNScaleConvParams in its loop), and opt_batchNorm makes any other one an OPCODE_BN "
                + "op for each, every op reading the BatchNorm's input and writing the Scale's output (a ReLU's for "
                + "one not in place) and erasing the BatchNorm and Scale again (map iterators already erased), "
                + DEVICE_MAY_NOT_RUN + " them as written; let one layer read the Scale's output (a ReLU not in place, "
                + "the others reading its output)" + (foldable ? ", or fold the pairs after a convolution into it here "
                + "with --fuse_bn --quantized_weights W" : "") + "; validate computes them as written"));
    }

    /** How many times opt_conv_bn_scale fuses a pair read by {@code readers}: up to the first ReLU, that included. */
    private static int fusions(List<Layer> readers) {
        for (int r = 0; r < readers.size(); r++) {
            if (readers.get(r).layerType() == LayerType.RELU) {
                return r + 1;
            }
        }
        return readers.size();
    }

    private static String names(List<Layer> layers) {
        return String.join(", ", layers.stream().map(l -> "'" + l.name() + "'").toList());
    }

    /**
     * The Convolution {@code opt_conv_bn_scale} would fuse the pair into, when the BatchNorm is not in place: the
     * layer writing the BatchNorm's input, whose output the BatchNorm alone reads, the BatchNorm's output read by
     * the Scale alone; null otherwise.
     */
    private static Layer fusingConvolution(Net net, Layer bn, Layer scale) {
        String input = bn.bottoms().get(0);
        List<Layer> layers = net.layers();
        int at = layers.indexOf(bn);
        Layer producer = null;
        for (int i = at - 1; i >= 0 && producer == null; i--) {
            if (layers.get(i).tops().contains(input)) {
                producer = layers.get(i);
            }
        }
        boolean onlyReaders = layers.stream().filter(l -> l.bottoms().contains(input)).toList().equals(List.of(bn))
                && layers.stream().filter(l -> l != scale && l.bottoms().contains(bn.tops().get(0))).toList()
                .isEmpty();
        return producer != null && producer.layerType() == LayerType.CONVOLUTION && onlyReaders ? producer : null;
    }
}
