package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.ConcatParameter;

/**
 * A pointwise convolution (1x1, ungrouped, stride 1, no padding) that reads the bottoms of the channel Concat
 * before it directly, for passes in which nothing looks at the Concat's output ({@link #fusable}): the weights are
 * split by the Concat's parts, each part is a matrix product into the same output (the second and later ones
 * adding to it, GEMM's beta 1), then the bias is added. A Concat costs a copy of all its input, often the largest
 * blob around it (SqueezeNet's fire modules: 55 x 55 x 128 before a 16- or 32-channel squeeze), and the product
 * reads its parts where they are. Measured per call on one thread, batch 8 (a share of a batch of 16), channels-last,
 * in one process (2026-12-07, load average 1-2): 55 x 55, 64 + 64 -> 16: Concat and conv2d 3.8-4.0 ms, the parts
 * 1.0-1.1 ms; 27 x 27, 128 + 128 -> 32: 0.80-0.85 against 0.54-0.58 ms; 13 x 13, 256 + 256 -> 64: 0.64-0.66 against
 * 0.58 ms. The sums are GEMM's, in another order than the convolution's: equal to float rounding.
 */
public final class PointwiseOverParts implements LayerOp {

    private final String name;
    /** Per part, {@code [channels of the part, outputs]}. */
    private final List<INDArray> weights;
    /** {@code [outputs]}, or null. */
    private final INDArray bias;
    private final NativeCall product = NativeCall.named("matmul", 1.0, 0.0);
    private final NativeCall addedProduct = NativeCall.named("matmul", 1.0, 1.0);
    private final NativeCall addBias = new NativeCall(DynamicCustomOp.builder("biasadd").addBooleanArguments(false).build());
    private final Buffers buffers = new Buffers();
    private final List<DerivedView> partStorage;
    private final List<DerivedView> partRows;
    private final DerivedView outputRows = new DerivedView(PointwiseProduct::rows);
    private final DerivedView outputView = new DerivedView(Tensors::channelsFirstView);

    private PointwiseOverParts(String name, List<INDArray> weights, INDArray bias) {
        this.name = name;
        this.weights = weights;
        this.bias = bias;
        partStorage = DerivedView.each(weights.size(), Tensors::channelsLastStorage);
        partRows = DerivedView.each(weights.size(), PointwiseProduct::rows);
    }

    /**
     * The channel Concats whose output only a pointwise convolution reads, each by name with that convolution's
     * name: in a pass that shows no layer's output, the convolution may read the Concat's bottoms instead
     * ({@link #of}) and the Concat be left out. A Concat whose output the net returns, another layer reads or an
     * in-place layer rewrites is not one.
     */
    public static Map<String, String> fusable(Net net) {
        Map<String, List<Layer>> readers = new HashMap<>();
        for (Layer layer : net.layers()) {
            for (String bottom : layer.bottoms()) {
                readers.computeIfAbsent(bottom, b -> new ArrayList<>()).add(layer);
            }
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Layer layer : net.layers()) {
            if (layer.layerType() != LayerType.CONCAT || layer.bottoms().size() < 2 || layer.tops().size() != 1) {
                continue;
            }
            String top = layer.tops().get(0);
            List<Layer> read = readers.getOrDefault(top, List.of());
            int[] shape = net.shape(top);
            if (read.size() != 1 || net.outputBlobs().contains(top) || shape == null || shape.length != 4
                    || !onChannels(layer.param().getConcatParam()) || layer.bottoms().contains(top)) {
                continue;
            }
            Layer reader = read.get(0);
            if (reader.layerType() == LayerType.CONVOLUTION && reader.bottoms().size() == 1 && !reader.inPlace()
                    && unpaddedPointwise(ConvGeometry.of(reader.param(), shape))) {
                pairs.put(layer.name(), reader.name());
            }
        }
        return pairs;
    }

    private static boolean onChannels(ConcatParameter p) {
        int axis = p.hasConcatDim() ? p.getConcatDim() : p.getAxis();
        return axis == 1 || axis == -3;
    }

    private static boolean unpaddedPointwise(ConvGeometry g) {
        return PointwiseProduct.isPointwise(g) && g.pad()[0] == 0 && g.pad()[1] == 0 && g.axis() == 1;
    }

    /**
     * The op computing pointwise convolution {@code conv} (as {@link #fusable} found it) from the parts of shapes
     * {@code partShapes} ({@code [N, C_i, H, W]}, the Concat's bottoms in order).
     */
    public static PointwiseOverParts of(Layer conv, List<int[]> partShapes) {
        int[] whole = partShapes.get(0).clone();
        whole[1] = partShapes.stream().mapToInt(s -> s[1]).sum();
        ConvGeometry g = Layers.convGeometry(conv, List.of(whole));
        int outputs = g.outChannels();
        INDArray all = Tensors.of(Layers.weight(conv, 0, (long) outputs * whole[1]), outputs, whole[1]).transpose();
        List<INDArray> weights = new ArrayList<>();
        long from = 0;
        for (int[] part : partShapes) {
            weights.add(all.get(NDArrayIndex.interval(from, from + part[1]), NDArrayIndex.all()).dup('c'));
            from += part[1];
        }
        INDArray bias = conv.param().getConvolutionParam().getBiasTerm() ? Tensors.of(Layers.weight(conv, 1, outputs), outputs)
                : null;
        return new PointwiseOverParts(conv.name(), weights, bias);
    }

    @Override
    public LayerOp sharingWeights() {
        return new PointwiseOverParts(name, weights, bias);
    }

    @Override
    public boolean takesChannelsLast() {
        return true;
    }

    /** A part held channels-first is copied channels-last, at most the whole input. */
    @Override
    public long workspaceValuesPerImage() {
        return weights.stream().mapToLong(w -> w.size(0)).sum();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        if (bottoms.size() != weights.size()) {
            throw ModelException.inLayer(name, "reads " + bottoms.size() + " parts, the weights were split in " + weights.size());
        }
        INDArray first = bottoms.get(0);
        INDArray out = buffers.get(0, first.size(0), first.size(2), first.size(3), weights.get(0).size(1));
        INDArray matrix = outputRows.of(out);
        for (int i = 0; i < bottoms.size(); i++) {
            INDArray part = bottoms.get(i);
            Layers.requireChannels(name, part, Math.toIntExact(weights.get(i).size(0)));
            if (part.size(0) != out.size(0) || part.size(2) != out.size(1) || part.size(3) != out.size(2)) {
                throw ModelException.inLayer(name, "its input parts differ in size");
            }
            INDArray storage = partStorage.get(i).of(part);
            if (storage == null) {
                storage = buffers.copy(1 + i, part.permute(0, 2, 3, 1));
            }
            INDArray rows = partRows.get(i).of(storage);
            (i == 0 ? product : addedProduct).run(rows.size(0) * weights.get(i).length(),
                    NativeCall.ONE_THREAD_MAX_MULTIPLY_ADDS, matrix, rows, weights.get(i));
        }
        if (bias != null) {
            addBias.run(matrix.length(), NativeCall.ONE_THREAD_MAX_VALUES, matrix, matrix, bias);
        }
        return List.of(outputView.of(out));
    }

    @Override
    public void close() {
        buffers.close();
    }
}
