package xportdnn.model;

import java.util.List;
import xportdnn.model.proto.Caffe.LayerParameter;

/**
 * Multiply-adds per image of a layer, counting only the weighted products that dominate the cost: Convolution
 * (each output value takes C_in/group * kernel volume), Deconvolution (each input value spreads over
 * C_out/group * kernel volume) and InnerProduct (each output takes K inputs). Bias additions and every other
 * layer (element-wise, pooling, normalisation, SSD heads) count 0. "Per image" divides by the batch (axis 0).
 */
public final class MultiplyAdds {

    private MultiplyAdds() {
    }

    public static long perImage(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
        return LayerType.of(layer).multiplyAdds(layer, bottoms, tops);
    }

    static long convolution(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
        ConvGeometry g = ConvGeometry.of(layer, bottoms.get(0));
        return product(layer, perImage(tops.get(0)), g.inChannels() / g.group(), g.kernelVolume());
    }

    static long deconvolution(LayerParameter layer, List<int[]> bottoms) {
        ConvGeometry g = ConvGeometry.of(layer, bottoms.get(0));
        return product(layer, perImage(bottoms.get(0)), g.outChannels() / g.group(), g.kernelVolume());
    }

    static long innerProduct(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
        int[] b = bottoms.get(0);
        int axis = Shapes.axis(layer.getName(), "inner_product_param.axis", layer.getInnerProductParam().getAxis(),
                b.length);
        return product(layer, perImage(tops.get(0)), 1, Shapes.count(b, axis, b.length));
    }

    /** {@code a * b * c} exactly, or refused naming the layer (counts of checked shapes never get there). */
    private static long product(LayerParameter layer, long a, long b, long c) {
        try {
            return Math.multiplyExact(Math.multiplyExact(a, b), c);
        } catch (ArithmeticException e) {
            throw ModelException.inLayer(layer.getName(), "its multiply-adds per image (" + a + " x " + b + " x " + c
                    + ") exceed 2^63");
        }
    }

    private static long perImage(int[] shape) {
        return shape.length == 0 ? 1 : Shapes.count(shape, 1, shape.length);
    }
}
