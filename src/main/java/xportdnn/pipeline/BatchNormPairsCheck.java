package xportdnn.pipeline;

import static xportdnn.pipeline.SupportedLayersCheck.DEVICE_MAY_NOT_RUN;
import static xportdnn.pipeline.SupportedLayersCheck.FEATURE_MAPS;
import static xportdnn.pipeline.SupportedLayersCheck.layers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.quant.BatchNormFusion;
import xportdnn.quant.BatchNormPair;

/**
 * The part of {@link SupportedLayersCheck} about BatchNorm and Scale, from CHaiDNN's sources (Xilinx/CHaiDNN at
 * 271b3cc, the latest the index holds, and 84408a9 alike). The runtime computes a BatchNorm only together with the
 * Scale that reads its output: it folds a pair that follows a Convolution into that convolution's weights
 * (xtract_opt.cpp, {@code opt_conv_bn_scale} and {@code fuseBNScaleConvParams}), which then runs as a convolution,
 * and runs any other pair as one op (OPCODE_BN, {@code opt_batchNorm}) on the convolution kernel. So it warns of a
 * BatchNorm or Scale without its partner ({@link #unpaired}: the runtime stops at it), of a pair run as its own op
 * with no ReLU after it ({@link #rectifiedPairs}: the op applies one anyway), and, one warning per layer kind, of a
 * layer of such a pair with 2048 or more feature maps (the supported-layers table's bound for it; a fused pair is
 * the convolution's, under 4096). How a pair is written (in place or not, who reads the Scale's output) is
 * {@link BatchNormChainCheck}'s, whose warnings come after the first.
 */
final class BatchNormPairsCheck {

    /** The table's bound for a BatchNorm or Scale computed as its own op on the convolution kernel: fewer. */
    private static final int FEATURE_MAPS_ON_ITS_OWN = 2048;

    private BatchNormPairsCheck() {
    }

    /** The warnings for {@code net}'s BatchNorm and Scale layers, in the order above. */
    static List<Notice> of(Net net) {
        Set<Layer> fused = BatchNormFusion.find(net).values().stream().flatMap(f -> f.fusedLayers().stream())
                .collect(Collectors.toSet());
        List<BatchNormPair> pairs = BatchNormPair.find(net);
        Set<Layer> unpaired = unpaired(net, pairs);
        List<Notice> notices = new ArrayList<>(unpairedWarning(unpaired, fused));
        Map<BatchNormPair, String> untaken = BatchNormChainCheck.untaken(net, pairs);
        notices.addAll(BatchNormChainCheck.untakenWarning(untaken, fused));
        notices.addAll(BatchNormChainCheck.takenOnceMore(net, pairs));
        // the runtime stops at the untaken pairs: no op to rectify
        List<BatchNormPair> taken = pairs.stream().filter(p -> !untaken.containsKey(p)).toList();
        notices.addAll(rectifiedPairs(net, taken, fused));
        notices.addAll(standaloneBatchNorms(net, fused, unpaired));
        return notices;
    }

    /**
     * The device's BatchNorms without a Scale that reads their output (the first later layer to read it, reading
     * nothing else), and its Scales that are no such partner. CHaiDNN's runtime (xtract_opt.cpp,
     * xlayer_sequence_generator) computes a BatchNorm only with that Scale: {@code opt_conv_bn_scale} fuses the pair
     * into the Convolution before it ({@code bn_flag==1 && scale_flag==1}), {@code opt_batchNorm} makes any other
     * pair one OPCODE_BN op; nothing takes a BatchNorm or a Scale alone ({@code opt_scale} is never called), so
     * {@code update_xlayer_opcode} finds no opcode for its type and exits ({@code [EO005] Layer opcode: Layer is not
     * support}).
     */
    private static Set<Layer> unpaired(Net net, List<BatchNormPair> pairs) {
        Set<Layer> paired = new HashSet<>();
        pairs.forEach(p -> {
            paired.add(p.batchNorm());
            paired.add(p.scale());
        });
        Set<Layer> unpaired = new LinkedHashSet<>();
        for (Layer l : net.layers()) {
            if ((l.layerType() == LayerType.BATCH_NORM || l.layerType() == LayerType.SCALE) && !paired.contains(l)
                    && ChaidnnSupport.of(l.param()) == ChaidnnSupport.DEVICE) {
                unpaired.add(l);
            }
        }
        return unpaired;
    }

    /**
     * The warning naming the BatchNorm/Scale pairs the device runs as an op of their own (not fused into a
     * Convolution) whose output no plain ReLU reads next, if any. That op always ends in a ReLU: CHaiDNN's kernel
     * (design/conv/src/xi_convolution.hpp at 452a5fa, ReadNormData) computes OPCODE_BN with norm flag set 3, whose
     * relu flag is 1 whatever the net says (the runtime's ReLU flag, conv_desc.relu_en, is not read by that set), so
     * the device zeroes the negative outputs Caffe keeps. Pre-activation ResNets and DenseNets put a ReLU there.
     */
    private static List<Notice> rectifiedPairs(Net net, List<BatchNormPair> pairs, Set<Layer> fused) {
        List<String> named = new ArrayList<>();
        for (BatchNormPair p : pairs) {
            if (fused.contains(p.batchNorm()) || ChaidnnSupport.of(p.batchNorm().param()) != ChaidnnSupport.DEVICE) {
                continue;
            }
            boolean relu = p.scaleReaders(net).stream().findFirst().filter(Layer::plainRelu).isPresent();
            if (!relu) {
                named.add("'" + p.batchNorm().name() + "' and '" + p.scale().name() + "'");
            }
        }
        if (named.isEmpty()) {
            return List.of();
        }
        return List.of(Notice.warning("BatchNorm/Scale pair" + (named.size() == 1 ? " " : "s ")
                + String.join(", ", named) + " with no ReLU after: CHaiDNN runs a pair not fused into a Convolution "
                + "as one op of its own, and its kernel ends that op with a ReLU whatever the net says (xi_convolution"
                + ".hpp, ReadNormData, norm flag set 3), " + DEVICE_MAY_NOT_RUN + " them as written: the device "
                + "zeroes the negative outputs Caffe keeps; validate computes them as the device does, ReLU included, "
                + "in DynamicFixed mode, and as Caffe defines them in Xilinx mode"));
    }

    /**
     * The one warning naming the {@link #unpaired} BatchNorms and Scales, if any; with the hint of --fuse_bn where
     * one of them is in a chain it folds ({@code fused}).
     */
    private static List<Notice> unpairedWarning(Set<Layer> unpaired, Set<Layer> fused) {
        if (unpaired.isEmpty()) {
            return List.of();
        }
        List<String> named = unpaired.stream().map(l -> "'" + l.name() + "' (" + (l.layerType() == LayerType.BATCH_NORM
                ? "BatchNorm, no Scale reads its output" : "Scale, reads no BatchNorm's output") + ")").toList();
        boolean foldable = unpaired.stream().anyMatch(fused::contains);
        return List.of(Notice.warning("BatchNorm/Scale" + layers(named) + " without its partner: CHaiDNN's runtime "
                + "computes a BatchNorm only with the Scale that reads its output, fused into the Convolution before "
                + "them or as one op of their own (xtract_opt.cpp, opt_conv_bn_scale and opt_batchNorm), and stops at "
                + "a BatchNorm or Scale left alone ([EO005] Layer opcode: Layer is not support), " + DEVICE_MAY_NOT_RUN
                + " them as written; give each a partner that changes nothing (a Scale of 1 after a BatchNorm, a "
                + "BatchNorm of mean 0 and variance 1 before a Scale)" + (foldable ? ", or fold the ones after a "
                + "Convolution into it here with --fuse_bn --quantized_weights W" : "") + "; validate computes "
                + "them as written"));
    }

    /**
     * Per kind, BatchNorm then Scale, the warning for the device's layers of that kind with 2048 or more feature maps
     * that no Convolution's fused chain takes in ({@link BatchNormFusion}) and that have their partner (the
     * {@code unpaired} ones are warned of as such).
     */
    private static List<Notice> standaloneBatchNorms(Net net, Set<Layer> fused, Set<Layer> unpaired) {
        Map<LayerType, List<String>> wide = new LinkedHashMap<>();
        for (LayerType type : List.of(LayerType.BATCH_NORM, LayerType.SCALE)) {
            List<String> named = net.layers().stream()
                    .filter(l -> l.layerType() == type && !fused.contains(l) && !unpaired.contains(l)
                            && ChaidnnSupport.of(l.param()) == ChaidnnSupport.DEVICE)
                    .filter(l -> {
                        int[] shape = net.shape(l.bottoms().get(0));
                        return shape.length > 1 && shape[1] >= FEATURE_MAPS_ON_ITS_OWN;
                    })
                    .map(l -> "'" + l.name() + "' (" + net.shape(l.bottoms().get(0))[1] + " feature maps)").toList();
            if (!named.isEmpty()) {
                wide.put(type, named);
            }
        }
        List<Notice> notices = new ArrayList<>();
        wide.forEach((type, named) -> notices.add(Notice.warning(type.typeName() + layers(named)
                + ", not fused into a preceding Convolution: CHaiDNN's "
                + "docs/SUPPORTED_LAYERS.md lists fewer than " + FEATURE_MAPS_ON_ITS_OWN + " input and output feature "
                + "maps for a BatchNorm or Scale the device computes on its own (one fused into a convolution is the "
                + "convolution's, fewer than " + FEATURE_MAPS + "), " + DEVICE_MAY_NOT_RUN + " them as written; "
                + "validate computes them as Caffe defines them")));
        return notices;
    }
}
