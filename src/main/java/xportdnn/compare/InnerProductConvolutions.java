package xportdnn.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.ConvolutionParameter;
import xportdnn.model.proto.Caffe.FlattenParameter;
import xportdnn.model.proto.Caffe.InnerProductParameter;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * The float net with its InnerProduct layers written as the Convolutions they equal, for the schemes of the
 * literature, whose code quantizes fully connected layers as it does convolutions (CHaiDNN runs InnerProduct in
 * software, in float: its two modes keep the net as it is). Caffe's InnerProduct with {@code axis: 1} flattens
 * each image's C x H x W input in C, H, W order and multiplies it by its (num_output, C*H*W) weights, the
 * convolution of a H x W kernel without padding, stride 1, one 1 x 1 output: the weights, reshaped to
 * (num_output, C, H, W) (transposed first when {@code transpose: true}, where they are stored (C*H*W, num_output)),
 * are its kernel, the bias its bias. Every layer keeps its name and its blobs their names and values, so the
 * calibration of the float net serves the rewritten one; an output becomes num_output x 1 x 1 per image.
 *
 * <p>Rewritten: an InnerProduct on the channel axis (axis 1) whose input is an image (N x C x H x W; the output of an
 * InnerProduct written as a convolution is one, N x num_output x 1 x 1, so two in a row are both rewritten; a
 * Flatten of an image from the channel axis on is read through: the convolution reads the image, and the Flatten
 * goes when nothing else reads it) and whose output only layers read that do not mind the two trailing 1s (ReLU,
 * Dropout, Softmax over the channel axis, another such InnerProduct), or none. Any other (on a blob a Reshape made
 * or of another rank, on another axis, or read by a layer of shape-dependent parameters) stays an InnerProduct,
 * computed in float, and is listed in {@link #kept}.
 */
final class InnerProductConvolutions {

    /** Readers an InnerProduct's output may have when it becomes N x num_output x 1 x 1. */
    private static final Set<LayerType> SHAPE_FREE_READERS = EnumSet.of(LayerType.RELU, LayerType.DROPOUT,
            LayerType.SOFTMAX, LayerType.INNER_PRODUCT);

    private final Net net;
    private final Set<String> rewritten;
    private final List<String> kept;

    private InnerProductConvolutions(Net net, Set<String> rewritten, List<String> kept) {
        this.net = net;
        this.rewritten = rewritten;
        this.kept = kept;
    }

    /** @param net the float net with its weights (BatchNorm/Scale folded, as compare runs it) */
    static InnerProductConvolutions of(Net net) {
        NetParameter.Builder definition = net.definition().toBuilder();
        List<List<Blob>> blobs = new ArrayList<>();
        Set<String> rewritten = new LinkedHashSet<>();
        List<String> kept = new ArrayList<>();
        Set<String> bypassed = new HashSet<>(); // Flatten layers a rewritten InnerProduct no longer reads through
        // the blobs N x C in the float net that are N x C x 1 x 1 in the one rewritten so far: a rewritten
        // InnerProduct's output and what its readers (shape-free, convertible() made sure) make of it
        Set<String> widened = new HashSet<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            blobs.add(l.weights());
            if (l.layerType() != LayerType.INNER_PRODUCT) {
                if (l.bottoms().stream().anyMatch(widened::contains)) { // a ReLU, Dropout or Softmax: the same shape
                    widened.addAll(l.tops());
                }
                continue;
            }
            Layer flatten = flattening(net, i, l.bottoms().get(0));
            String bottom = flatten == null ? l.bottoms().get(0) : flatten.bottoms().get(0);
            // the input's shape in the net rewritten so far (an InnerProduct before it may be a convolution now)
            int[] in = widened.contains(bottom) ? new int[] {net.shape(bottom)[0], net.shape(bottom)[1], 1, 1}
                    : net.shape(bottom);
            if (convertible(net, l, in)) {
                definition.setLayer(i, convolution(l, bottom, in));
                blobs.set(i, kernel(l, in));
                rewritten.add(l.name());
                widened.add(l.tops().get(0));
                if (flatten != null) {
                    bypassed.add(flatten.name());
                }
            } else {
                kept.add(l.name());
            }
        }
        Map<String, List<Blob>> weights = new HashMap<>();
        for (int i = definition.getLayerCount() - 1; i >= 0; i--) {
            LayerParameter layer = definition.getLayer(i);
            if (bypassed.contains(layer.getName()) && unread(definition, layer.getTop(0))) {
                definition.removeLayer(i);
            } else {
                weights.put(layer.getName(), blobs.get(i));
            }
        }
        // every layer's weights the float net's arrays, the rewritten ones' reshaped (VGG-16's fc6 alone is 411 MB)
        return new InnerProductConvolutions(NetLoader.buildSharing(definition.build(), weights),
                Collections.unmodifiableSet(rewritten), List.copyOf(kept));
    }

    /** The rewritten net, with its weights (the float net's arrays, shared). */
    Net net() {
        return net;
    }

    /** The layers that were InnerProducts, now convolutions. */
    Set<String> rewritten() {
        return rewritten;
    }

    /** The InnerProduct layers left as they are (computed in float), in net order. */
    List<String> kept() {
        return kept;
    }

    /**
     * The layer before layer {@code index} writing {@code blob} when it is a Flatten of every axis from the channels
     * on (what an InnerProduct on the channel axis does itself), else null.
     */
    private static Layer flattening(Net net, int index, String blob) {
        for (int k = index - 1; k >= 0; k--) {
            Layer w = net.layers().get(k);
            if (w.tops().contains(blob)) {
                if (w.layerType() != LayerType.FLATTEN || w.inPlace()) {
                    return null;
                }
                int rank = net.shape(w.bottoms().get(0)).length;
                FlattenParameter p = w.param().getFlattenParam();
                boolean all = Shapes.axis(w.name(), "flatten_param.axis", p.getAxis(), rank) == 1
                        && Shapes.axis(w.name(), "flatten_param.end_axis", p.getEndAxis(), rank) == rank - 1;
                return all ? w : null;
            }
        }
        return null;
    }

    /** Whether no layer of {@code net} reads {@code blob}. */
    private static boolean unread(NetParameter.Builder net, String blob) {
        return net.getLayerList().stream().noneMatch(l -> l.getBottomList().contains(blob));
    }

    /** Whether {@code ip}, reading a blob of shape {@code in} in the rewritten net, is written as a convolution. */
    private static boolean convertible(Net net, Layer ip, int[] in) {
        if (in.length != 4 || ip.weights().isEmpty()
                || Shapes.axis(ip.name(), "inner_product_param.axis", ip.param().getInnerProductParam().getAxis(),
                        in.length) != 1) {
            return false;
        }
        return readShapeFree(net, ip, ip.tops().get(0));
    }

    /**
     * Whether every layer but {@code writer} reading {@code blob} is {@link #shapeFree}, and so are the readers of
     * their outputs in turn (a ReLU's output that is not in place is the same shape), up to an InnerProduct, which
     * flattens whatever it reads.
     */
    private static boolean readShapeFree(Net net, Layer writer, String blob) {
        for (Layer reader : net.layers()) {
            if (reader == writer || !reader.bottoms().contains(blob)) {
                continue;
            }
            if (!shapeFree(reader) || reader.layerType() != LayerType.INNER_PRODUCT && !reader.inPlace()
                    && !readShapeFree(net, reader, reader.tops().get(0))) {
                return false;
            }
        }
        return true;
    }

    private static boolean shapeFree(Layer reader) {
        return switch (reader.layerType()) {
            case SOFTMAX -> reader.param().getSoftmaxParam().getAxis() == 1;
            case INNER_PRODUCT -> reader.param().getInnerProductParam().getAxis() == 1;
            default -> SHAPE_FREE_READERS.contains(reader.layerType());
        };
    }

    /**
     * The Convolution layer equal to {@code ip} reading {@code bottom} (its own, or the input of the Flatten it
     * reads) of shape {@code in}: a H x W kernel, one output.
     */
    private static LayerParameter convolution(Layer ip, String bottom, int[] in) {
        InnerProductParameter p = ip.param().getInnerProductParam();
        ConvolutionParameter.Builder conv = ConvolutionParameter.newBuilder().setNumOutput(p.getNumOutput())
                .setBiasTerm(p.getBiasTerm()).setKernelH(in[2]).setKernelW(in[3]);
        return ip.param().toBuilder().setType(LayerType.CONVOLUTION.typeName()).clearInnerProductParam()
                .setConvolutionParam(conv).setBottom(0, bottom).build();
    }

    /**
     * The convolution's weights: the InnerProduct's (num_output, C*H*W) matrix ((C*H*W, num_output) transposed) as
     * (num_output, C, H, W), the bias as it is.
     */
    private static List<Blob> kernel(Layer ip, int[] in) {
        Blob w = ip.weights().get(0);
        int outputs = ip.param().getInnerProductParam().getNumOutput();
        int k = w.count() / outputs;
        float[] rows = w.data();
        if (ip.param().getInnerProductParam().getTranspose()) {
            rows = new float[w.count()];
            for (int j = 0; j < k; j++) {
                for (int o = 0; o < outputs; o++) {
                    rows[o * k + j] = w.data()[j * outputs + o];
                }
            }
        }
        List<Blob> out = new ArrayList<>(List.of(new Blob(new int[] {outputs, in[1], in[2], in[3]}, rows)));
        out.addAll(ip.weights().subList(1, ip.weights().size()));
        return out;
    }
}
