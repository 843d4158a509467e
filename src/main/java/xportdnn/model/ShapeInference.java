package xportdnn.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import xportdnn.model.proto.Caffe.ArgMaxParameter;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.ConcatParameter;
import xportdnn.model.proto.Caffe.CropParameter;
import xportdnn.model.proto.Caffe.EltwiseParameter;
import xportdnn.model.proto.Caffe.FlattenParameter;
import xportdnn.model.proto.Caffe.InnerProductParameter;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PriorBoxParameter;
import xportdnn.model.proto.Caffe.ReshapeParameter;
import xportdnn.model.proto.Caffe.SliceParameter;

/**
 * The shapes of a layer's tops from its definition and the shapes of its bottoms, by Caffe's rules (and SSD
 * Caffe's for Permute, Normalize, PriorBox and DetectionOutput). Errors are {@code layer '<name>': <what>}.
 * {@link LayerType} picks each type's bottom count and rule; the rules are here.
 */
public final class ShapeInference {

    private ShapeInference() {
    }

    public static List<int[]> topShapes(LayerParameter layer, List<int[]> bottoms) {
        String type = layer.getType();
        LayerType layerType = LayerType.of(layer);
        int min = layerType.minBottoms();
        int max = layerType.maxBottoms();
        if (bottoms.size() < min || bottoms.size() > max) {
            throw ModelException.inLayer(layer.getName(), type + " takes " + (min == max ? min
                    : min + (max == Integer.MAX_VALUE ? " or more" : " to " + max))
                    + " bottoms, the prototxt gives " + bottoms.size());
        }
        List<int[]> tops = layerType.topShapes(layer, bottoms);
        if (tops.size() != layer.getTopCount()) {
            throw ModelException.inLayer(layer.getName(), type + " produces " + tops.size() + " tops, the prototxt names "
                    + layer.getTopCount());
        }
        for (int[] top : tops) {
            for (int d : top) {
                if (d <= 0) {
                    throw ModelException.inLayer(layer.getName(), "gives an invalid output shape " + Blob.describe(top)
                            + " from input " + describe(bottoms));
                }
            }
            Shapes.requireArray(layer.getName(), "its output", top);
        }
        return tops;
    }

    /** The rule of {@link LayerType#UNKNOWN}, which accepts any bottom count so that this error comes first. */
    static List<int[]> unknownType(LayerParameter layer, List<int[]> bottoms) {
        throw ModelException.inLayer(layer.getName(), ForkLayerTypes.unknownType(layer, bottoms));
    }

    /** One top shaped like the bottom, as element-wise layers. */
    static List<int[]> same(LayerParameter layer, List<int[]> bottoms) {
        return List.of(bottoms.get(0));
    }

    static List<int[]> split(LayerParameter layer, List<int[]> bottoms) {
        return Collections.nCopies(layer.getTopCount(), bottoms.get(0));
    }

    static List<int[]> input(LayerParameter layer, List<int[]> bottoms) {
        List<BlobShape> shapes = layer.getInputParam().getShapeList();
        int tops = layer.getTopCount();
        if (shapes.isEmpty() || (shapes.size() != 1 && shapes.size() != tops)) {
            throw ModelException.inLayer(layer.getName(), "input_param needs one shape, or one per top (" + tops
                    + "), it has " + shapes.size());
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < tops; i++) {
            out.add(Shapes.of(shapes.get(shapes.size() == 1 ? 0 : i), layer.getName()));
        }
        return out;
    }

    static int[] convolution(LayerParameter layer, int[] b) {
        return ConvGeometry.of(layer, b).outputShape(b, false);
    }

    static int[] deconvolution(LayerParameter layer, int[] b) {
        return ConvGeometry.of(layer, b).outputShape(b, true);
    }

    static int[] pooling(LayerParameter layer, int[] b) {
        return PoolGeometry.of(layer, b).outputShape(b, layer.getPoolingParam().getRoundMode());
    }

    /** The input's shape, once the multiplier's shape is checked. */
    static List<int[]> scaleOrBias(LayerParameter layer, List<int[]> bottoms) {
        ParameterShapes.scaleShape(layer, bottoms);
        return List.of(bottoms.get(0));
    }

    static int[] tile(LayerParameter layer, int[] b) {
        String name = layer.getName();
        int axis = Shapes.axis(name, "tile_param.axis", layer.getTileParam().getAxis(), b.length);
        if (layer.getTileParam().getTiles() <= 0) {
            throw ModelException.inLayer(name, "tile_param.tiles must be positive");
        }
        int[] top = b.clone();
        top[axis] = Shapes.toInt((long) b[axis] * layer.getTileParam().getTiles(), name);
        return top;
    }

    /** The input's shape, once softmax_param.axis is one of its axes (else the net would fail at its first image). */
    static int[] softmax(LayerParameter layer, int[] b) {
        Shapes.axis(layer.getName(), "softmax_param.axis", layer.getSoftmaxParam().getAxis(), b.length);
        return b;
    }

    static int[] reduction(LayerParameter layer, int[] b) {
        int axis = Shapes.axis(layer.getName(), "reduction_param.axis", layer.getReductionParam().getAxis(), b.length);
        return Arrays.copyOf(b, axis);
    }

    static int[] innerProduct(LayerParameter layer, int[] b) {
        InnerProductParameter p = layer.getInnerProductParam();
        int axis = Shapes.axis(layer.getName(), "inner_product_param.axis", p.getAxis(), b.length);
        if (p.getNumOutput() <= 0) {
            throw ModelException.inLayer(layer.getName(), "inner_product_param.num_output must be positive");
        }
        return Shapes.concat(Arrays.copyOf(b, axis), new int[] {p.getNumOutput()});
    }

    static List<int[]> eltwise(LayerParameter layer, List<int[]> bottoms) {
        int[] first = bottoms.get(0);
        for (int[] other : bottoms) {
            if (!Arrays.equals(first, other)) {
                throw ModelException.inLayer(layer.getName(), "Eltwise inputs differ in shape: " + describe(bottoms));
            }
        }
        int coeffs = layer.getEltwiseParam().getCoeffCount();
        if (coeffs > 0 && layer.getEltwiseParam().getOperation() != EltwiseParameter.EltwiseOp.SUM) {
            // as Caffe's EltwiseLayer::LayerSetUp, which takes coefficients for a sum only
            throw ModelException.inLayer(layer.getName(), "eltwise_param.coeff is only for operation SUM, not "
                    + layer.getEltwiseParam().getOperation() + " (Caffe refuses it): delete the coeff values");
        }
        if (coeffs > 0 && coeffs != bottoms.size()) {
            throw ModelException.inLayer(layer.getName(), "eltwise_param has " + coeffs + " coeff values for "
                    + bottoms.size() + " bottoms");
        }
        return List.of(first);
    }

    static List<int[]> concat(LayerParameter layer, List<int[]> bottoms) {
        ConcatParameter p = layer.getConcatParam();
        int[] first = bottoms.get(0);
        int axis = p.hasConcatDim() ? (int) p.getConcatDim()
                : Shapes.axis(layer.getName(), "concat_param.axis", p.getAxis(), first.length);
        if (axis >= first.length) {
            throw ModelException.inLayer(layer.getName(), "concat_dim " + axis + " is out of range for " + Blob.describe(first));
        }
        int[] top = first.clone();
        long size = 0;
        for (int[] b : bottoms) {
            boolean compatible = b.length == first.length;
            for (int i = 0; compatible && i < b.length; i++) {
                compatible = i == axis || b[i] == first[i];
            }
            if (!compatible) {
                throw ModelException.inLayer(layer.getName(), "Concat inputs must agree except on axis " + axis + ": "
                        + describe(bottoms));
            }
            size += b[axis];
        }
        top[axis] = Shapes.toInt(size, layer.getName());
        return List.of(top);
    }

    static List<int[]> slice(LayerParameter layer, List<int[]> bottoms) {
        int[] b = bottoms.get(0);
        SliceParameter p = layer.getSliceParam();
        String name = layer.getName();
        int axis = p.hasSliceDim() ? p.getSliceDim() : Shapes.axis(name, "slice_param.axis", p.getAxis(), b.length);
        if (axis >= b.length) {
            throw ModelException.inLayer(name, "slice_dim " + axis + " is out of range for " + Blob.describe(b));
        }
        int tops = layer.getTopCount();
        List<int[]> out = new ArrayList<>();
        if (p.getSlicePointCount() > 0) {
            if (p.getSlicePointCount() != tops - 1) {
                throw ModelException.inLayer(name, p.getSlicePointCount() + " slice points need " + (p.getSlicePointCount() + 1)
                        + " tops, the prototxt names " + tops);
            }
            int previous = 0;
            for (int i = 0; i <= p.getSlicePointCount(); i++) {
                int end = i < p.getSlicePointCount() ? p.getSlicePoint(i) : b[axis];
                if (end <= previous || end > b[axis]) {
                    throw ModelException.inLayer(name, "slice points must increase within the axis size " + b[axis]);
                }
                int[] top = b.clone();
                top[axis] = end - previous;
                out.add(top);
                previous = end;
            }
            return out;
        }
        if (tops == 0 || b[axis] % tops != 0) {
            throw ModelException.inLayer(name, "cannot split axis " + axis + " of size " + b[axis] + " evenly into "
                    + tops + " tops");
        }
        int[] top = b.clone();
        top[axis] = b[axis] / tops;
        return Collections.nCopies(tops, top);
    }

    static int[] flatten(LayerParameter layer, int[] b) {
        FlattenParameter p = layer.getFlattenParam();
        int start = Shapes.axis(layer.getName(), "flatten_param.axis", p.getAxis(), b.length);
        int end = Shapes.axis(layer.getName(), "flatten_param.end_axis", p.getEndAxis(), b.length);
        if (end < start) {
            throw ModelException.inLayer(layer.getName(), "flatten_param.end_axis comes before axis");
        }
        return Shapes.concat(Arrays.copyOf(b, start), new int[] {Shapes.toInt(Shapes.count(b, start, end + 1), layer.getName())},
                Arrays.copyOfRange(b, end + 1, b.length));
    }

    /** Caffe's Reshape: dims replace [axis, axis+num_axes); 0 copies the input dim there, one -1 is inferred. */
    static int[] reshape(LayerParameter layer, int[] b) {
        ReshapeParameter p = layer.getReshapeParam();
        String name = layer.getName();
        int start = p.getAxis() >= 0 ? p.getAxis() : b.length + p.getAxis() + 1;
        int end = p.getNumAxes() == -1 ? b.length : start + p.getNumAxes();
        if (start < 0 || start > b.length || p.getNumAxes() < -1 || end > b.length) {
            throw ModelException.inLayer(name, "reshape_param axis/num_axes out of range for " + Blob.describe(b));
        }
        int[] dims = Shapes.of(p.getShape(), name);
        int[] top = Shapes.concat(Arrays.copyOf(b, start), dims, Arrays.copyOfRange(b, end, b.length));
        int inferred = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                if (start + i >= b.length) {
                    throw ModelException.inLayer(name, "reshape dim " + i + " is 0 but the input has no axis " + (start + i));
                }
                top[start + i] = b[start + i];
            } else if (dims[i] == -1) {
                if (inferred >= 0) {
                    throw ModelException.inLayer(name, "reshape_param.shape may have only one -1");
                }
                inferred = start + i;
            } else if (dims[i] < 0) {
                throw ModelException.inLayer(name, "reshape dim " + dims[i] + " is invalid");
            }
        }
        long total = Shapes.count(b, 0, b.length);
        if (inferred >= 0) {
            top[inferred] = 1;
            long known = Shapes.count(top, 0, top.length);
            if (known == 0 || total % known != 0) {
                throw ModelException.inLayer(name, "cannot reshape " + Blob.describe(b) + " with " + Arrays.toString(dims));
            }
            top[inferred] = (int) (total / known);
        }
        if (Shapes.count(top, 0, top.length) != total) {
            throw ModelException.inLayer(name, "cannot reshape " + Blob.describe(b) + " (" + total + " values) to "
                    + Blob.describe(top));
        }
        return top;
    }

    /** SSD's Permute: the listed axes first, the others after them in their order. */
    static int[] permute(LayerParameter layer, int[] b) {
        return Arrays.stream(permuteOrder(layer, b.length)).map(axis -> b[axis]).toArray();
    }

    /** A Permute's whole order over {@code rank} axes: the listed axes first, the others after them in their order. */
    public static int[] permuteOrder(LayerParameter layer, int rank) {
        List<Integer> order = new ArrayList<>();
        for (int axis : layer.getPermuteParam().getOrderList()) {
            if (axis >= rank || order.contains(axis)) {
                throw ModelException.inLayer(layer.getName(), "permute_param.order " + layer.getPermuteParam().getOrderList()
                        + " is not a permutation of the " + rank + " input axes");
            }
            order.add(axis);
        }
        for (int axis = 0; axis < rank; axis++) {
            if (!order.contains(axis)) {
                order.add(axis);
            }
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<int[]> crop(LayerParameter layer, List<int[]> bottoms) {
        int[] b = bottoms.get(0);
        int[] reference = bottoms.get(1);
        CropParameter p = layer.getCropParam();
        String name = layer.getName();
        if (reference.length != b.length) {
            throw ModelException.inLayer(name, "Crop inputs differ in rank: " + Blob.describe(b) + " and "
                    + Blob.describe(reference));
        }
        int axis = Shapes.axis(name, "crop_param.axis", p.getAxis(), b.length);
        int cropped = b.length - axis;
        if (p.getOffsetCount() > 1 && p.getOffsetCount() != cropped) {
            throw ModelException.inLayer(name, "crop_param.offset has " + p.getOffsetCount()
                    + " values; give 0, 1 or one per cropped axis (" + cropped + ")");
        }
        int[] top = b.clone();
        for (int i = axis; i < b.length; i++) {
            long offset = p.getOffsetCount() == 0 ? 0
                    : Integer.toUnsignedLong(p.getOffset(p.getOffsetCount() == 1 ? 0 : i - axis)); // uint32
            if ((long) offset + reference[i] > b[i] || offset < 0) {
                throw ModelException.inLayer(name, "cannot crop " + reference[i] + " at offset " + offset + " from size "
                        + b[i] + " on axis " + i);
            }
            top[i] = reference[i];
        }
        return List.of(top);
    }

    /** 1 x 2 x (H*W*priors*4): box corners, then their variances, for every prior at every feature-map cell. */
    static int[] priorBox(LayerParameter layer, int[] feature) {
        if (feature.length != 4) {
            throw ModelException.inLayer(layer.getName(), "PriorBox needs a 4-D feature map, got " + Blob.describe(feature));
        }
        long values = (long) feature[2] * feature[3] * priorsPerCell(layer) * 4;
        return new int[] {1, 2, Shapes.toInt(values, layer.getName())};
    }

    /**
     * SSD's prior count per cell: aspect ratios start with 1, add each listed ratio not yet present (and its
     * inverse when flip), then one prior per (min_size, ratio) pair plus one per max_size.
     */
    static int priorsPerCell(LayerParameter layer) {
        PriorBoxParameter p = layer.getPriorBoxParam();
        if (p.getMinSizeCount() == 0) {
            throw ModelException.inLayer(layer.getName(), "prior_box_param.min_size is missing");
        }
        if (p.getMaxSizeCount() > 0 && p.getMaxSizeCount() != p.getMinSizeCount()) {
            throw ModelException.inLayer(layer.getName(), "prior_box_param has " + p.getMinSizeCount() + " min_size but "
                    + p.getMaxSizeCount() + " max_size values");
        }
        List<Float> ratios = new ArrayList<>(List.of(1f));
        for (float ar : p.getAspectRatioList()) {
            if (ratios.stream().anyMatch(r -> Math.abs(ar - r) < 1e-6)) {
                continue;
            }
            ratios.add(ar);
            if (p.getFlip()) {
                ratios.add(1f / ar);
            }
        }
        return ratios.size() * p.getMinSizeCount() + p.getMaxSizeCount();
    }

    /**
     * keep_top_k rows of 7 per image, zero-padded, as OpenCV reports it (Caffe trims to the detections found).
     * Without keep_top_k the count is only known after NMS; Caffe's set-up shape, one row per image, is used.
     */
    static int[] detectionOutput(LayerParameter layer, int[] loc) {
        int keep = layer.getDetectionOutputParam().getKeepTopK();
        return new int[] {1, 1, Shapes.toInt((long) loc[0] * Math.max(keep, 1), layer.getName()), 7};
    }

    static int[] argMax(LayerParameter layer, int[] b) {
        ArgMaxParameter p = layer.getArgmaxParam();
        int k = p.getTopK();
        if (p.hasAxis()) {
            int axis = Shapes.axis(layer.getName(), "argmax_param.axis", p.getAxis(), b.length);
            if (k < 1 || k > b[axis]) {
                throw ModelException.inLayer(layer.getName(), "argmax_param.top_k " + k + " is not in 1.." + b[axis]);
            }
            int[] top = b.clone();
            top[axis] = k;
            return top;
        }
        if (k < 1 || k > Shapes.count(b, 1, b.length)) {
            throw ModelException.inLayer(layer.getName(), "argmax_param.top_k " + k + " exceeds the values per image");
        }
        int[] top = new int[Math.max(3, b.length)];
        Arrays.fill(top, 1);
        top[0] = b[0];
        top[1] = p.getOutMaxVal() ? 2 : 1;
        top[2] = k;
        return top;
    }

    static String describe(List<int[]> shapes) {
        return String.join(", ", shapes.stream().map(Blob::describe).toList());
    }
}
