package xportdnn.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import xportdnn.model.proto.Caffe.InnerProductParameter;
import xportdnn.model.proto.Caffe.LayerParameter;

/**
 * The shapes of the learned parameter blobs a layer's definition implies, in Caffe's order, from the definition
 * and the bottom shapes: what the caffemodel must hold, and what a parameter count uses without one.
 */
public final class ParameterShapes {

    private ParameterShapes() {
    }

    public static List<int[]> of(LayerParameter layer, List<int[]> bottoms) {
        return LayerType.of(layer).parameterShapes(layer, bottoms);
    }

    /** Which definition setting decides the blob count, for error messages, e.g. "bias_term: true"; or "". */
    public static String countSetting(LayerParameter layer) {
        return LayerType.of(layer).countSetting(layer);
    }

    static String biasTerm(boolean biasTerm) {
        return "bias_term: " + biasTerm;
    }

    /** Weights (out, in/group, kernel...) or, deconvolving, (in, out/group, kernel...); then the bias. */
    static List<int[]> convolution(LayerParameter layer, List<int[]> bottoms, boolean deconv) {
        ConvGeometry g = ConvGeometry.of(layer, bottoms.get(0));
        int[] head = deconv ? new int[] {g.inChannels(), g.outChannels() / g.group()}
                : new int[] {g.outChannels(), g.inChannels() / g.group()};
        List<int[]> shapes = new ArrayList<>();
        shapes.add(Shapes.concat(head, g.kernel()));
        if (layer.getConvolutionParam().getBiasTerm()) {
            shapes.add(new int[] {g.outChannels()});
        }
        return shapes;
    }

    static List<int[]> innerProduct(LayerParameter layer, List<int[]> bottoms) {
        InnerProductParameter p = layer.getInnerProductParam();
        int[] b = bottoms.get(0);
        int axis = Shapes.axis(layer.getName(), "inner_product_param.axis", p.getAxis(), b.length);
        int k = Shapes.toInt(Shapes.count(b, axis, b.length), layer.getName());
        int n = p.getNumOutput();
        List<int[]> shapes = new ArrayList<>();
        shapes.add(p.getTranspose() ? new int[] {k, n} : new int[] {n, k});
        if (p.getBiasTerm()) {
            shapes.add(new int[] {n});
        }
        return shapes;
    }

    /** Mean, variance (one per channel) and the moving-average factor. */
    static List<int[]> batchNorm(List<int[]> bottoms) {
        int[] b = bottoms.get(0);
        int channels = b.length == 1 ? 1 : b[1];
        return List.of(new int[] {channels}, new int[] {channels}, new int[] {1});
    }

    /** The multiplier (Scale) or bias (Bias) unless a second bottom gives it; then a Scale's bias if any. */
    static List<int[]> scaleOrBias(LayerParameter layer, List<int[]> bottoms, boolean biasTerm) {
        int[] shape = scaleShape(layer, bottoms);
        List<int[]> shapes = new ArrayList<>();
        if (bottoms.size() == 1) {
            shapes.add(shape);
        }
        if (biasTerm) {
            shapes.add(shape);
        }
        return shapes;
    }

    /**
     * The shape of a Scale or Bias layer's multiplier: the input dims [axis, axis+num_axes) with one bottom, or
     * the second bottom's shape, which must match the input dims from axis on. Checked here for both uses.
     */
    static int[] scaleShape(LayerParameter layer, List<int[]> bottoms) {
        boolean scale = LayerType.of(layer) == LayerType.SCALE;
        int axisParam = scale ? layer.getScaleParam().getAxis() : layer.getBiasParam().getAxis();
        int numAxes = scale ? layer.getScaleParam().getNumAxes() : layer.getBiasParam().getNumAxes();
        int[] b = bottoms.get(0);
        String name = layer.getName();
        if (bottoms.size() == 2) {
            int[] factor = bottoms.get(1);
            int axis = factor.length == 0 ? 0 : Shapes.axis(name, "axis", axisParam, b.length);
            if (axis + factor.length > b.length
                    || !Arrays.equals(factor, Arrays.copyOfRange(b, axis, axis + factor.length))) {
                // Caffe reads axis 1 by default, so a factor of the input's whole shape needs axis: 0
                boolean fromFirst = axis != 0 && factor.length <= b.length
                        && Arrays.equals(factor, Arrays.copyOfRange(b, 0, factor.length));
                throw ModelException.inLayer(name, "the second bottom " + Blob.describe(factor)
                        + " does not match the input " + Blob.describe(b) + " from axis " + axis
                        + (fromFirst ? "; it matches from axis 0: give " + (scale ? "scale" : "bias")
                        + "_param { axis: 0 }" : ""));
            }
            return factor;
        }
        int axis = numAxes == 0 ? 0 : Shapes.axis(name, "axis", axisParam, b.length);
        int end = numAxes == -1 ? b.length : axis + numAxes;
        if (numAxes < -1 || end > b.length) {
            throw ModelException.inLayer(name, "num_axes " + numAxes + " from axis " + axis + " exceeds the input "
                    + Blob.describe(b));
        }
        return Arrays.copyOfRange(b, axis, end);
    }

    /** One value per channel, or a single scalar value when shared (shape {}), as PReLU and SSD's Normalize. */
    static int[] perChannel(LayerParameter layer, int[] b, boolean shared) {
        if (b.length < 2) {
            throw ModelException.inLayer(layer.getName(), layer.getType() + " needs an input with a channel axis, got "
                    + Blob.describe(b));
        }
        return shared ? new int[0] : new int[] {b[1]};
    }
}
