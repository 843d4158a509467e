package xportdnn.quant;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.EltwiseParameter.EltwiseOp;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.precision.F8Net;
import xportdnn.precision.F8NetScheme;
import xportdnn.precision.InParamsOut;

/**
 * F8Net's fractional lengths (algorithms.md F) for every layer the simulator computes on F8Net codes, from the
 * standard deviations the calibration's first pass already holds ({@link xportdnn.calib.ActivationRange#std}):
 * a layer's output gets {@code F8Net.fractionalLength(STD, std of its calibration output, signed)}, with the
 * signedness of {@link F8NetScheme} (an unsigned output is measured before its ReLU, the rectified Gaussian's
 * sigma of the paper's analysis); a convolution's weights the signed one of their own standard deviation; a layer
 * reads its input in the format its producer wrote, the image in the one of its own standard deviation. Max
 * pooling keeps its input's format, an in-place ReLU its producer's. Average pooling, InnerProduct and the other
 * layers CHaiDNN runs in software get no format (computed in float).
 */
public final class F8NetFormats {

    private F8NetFormats() {
    }

    /**
     * Per layer that computes on codes, in net order, its (input, weights, output) fractional lengths (weights 0
     * but for convolutions).
     *
     * @param net        the float net, BatchNorm/Scale folded into its convolutions
     * @param statistics per layer name, its calibration statistics
     */
    public static Map<String, InParamsOut> choose(Net net, Map<String, BlobHistograms> statistics) {
        F8NetScheme scheme = new F8NetScheme(net);
        Map<String, Integer> codes = new HashMap<>(); // per blob, the fl of the F8Net codes it holds
        Map<String, Double> deviations = new HashMap<>(); // per blob, the std of its last writer's output
        Map<String, InParamsOut> formats = new LinkedHashMap<>();
        for (Layer l : net.layers()) {
            Integer out = switch (l.layerType()) {
                case CONVOLUTION -> !l.weights().isEmpty() && l.param().getConvolutionParam().getAxis() == 1
                        ? own(l, scheme, statistics) : null;
                case ELTWISE -> l.param().getEltwiseParam().getOperation() != EltwiseOp.PROD
                        && l.param().getEltwiseParam().getCoeffList().stream().allMatch(c -> c == 1f)
                        ? own(l, scheme, statistics) : null;
                case CONCAT -> l.bottoms().stream().allMatch(codes::containsKey) ? own(l, scheme, statistics) : null;
                case POOLING -> l.param().getPoolingParam().getPool() == PoolMethod.MAX
                        ? codes.get(l.bottoms().get(0)) : null;
                case RELU -> !codes.containsKey(l.bottoms().get(0)) || !scheme.unsignedOutput(l) ? null
                        : scheme.unsignedInput(l) ? codes.get(l.bottoms().get(0))
                        : F8Net.fractionalLength(F8Net.Statistic.STD, deviations.get(l.bottoms().get(0)), false);
                default -> null;
            };
            if (out != null) {
                int params = l.layerType() == LayerType.CONVOLUTION
                        ? F8Net.fractionalLength(F8Net.Statistic.STD, std(l.weights().get(0).data()), true) : 0;
                formats.put(l.name(), new InParamsOut(input(l, scheme, codes, deviations), params, out));
            }
            double std = statistics(l, statistics).range().std();
            for (String top : l.tops()) {
                if (out != null) {
                    codes.put(top, out);
                } else {
                    codes.remove(top);
                }
                deviations.put(top, std);
            }
        }
        return formats;
    }

    /** The fl of the layer's own output, by the standard deviation the calibration measured for it. */
    private static int own(Layer l, F8NetScheme scheme, Map<String, BlobHistograms> statistics) {
        return F8Net.fractionalLength(F8Net.Statistic.STD, statistics(l, statistics).range().std(),
                !scheme.unsignedOutput(l));
    }

    /** The fl of the codes the layer reads: its producer's, or for float values (the image) their own. */
    private static int input(Layer l, F8NetScheme scheme, Map<String, Integer> codes, Map<String, Double> deviations) {
        String bottom = l.bottoms().get(0);
        Integer held = codes.get(bottom);
        return held != null ? held
                : F8Net.fractionalLength(F8Net.Statistic.STD, deviations.get(bottom), !scheme.unsignedInput(l));
    }

    private static BlobHistograms statistics(Layer l, Map<String, BlobHistograms> statistics) {
        BlobHistograms h = statistics.get(l.name());
        if (h == null) {
            throw ModelException.inLayer(l.name(), "no calibration statistics for its output");
        }
        return h;
    }

    /** Population standard deviation of the values. */
    static double std(float[] values) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / values.length;
        return Math.sqrt(Math.max(0, squares / values.length - mean * mean));
    }
}
