package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.StandaloneBatchNorm;
import xportdnn.quant.BatchNormPair;
import xportdnn.quant.BatchNormStatistics;

/**
 * The written DynamicFixed file's BatchNorm/Scale pairs the device runs as an op of their own whose mean wraps on
 * the device: the runtime writes each channel's mean into a 16-bit constant at fl_layer_in + 8 fractional bits with
 * no saturation (xi_dnn_conv_utils.hpp, load_mean_gamma_beta; {@link StandaloneBatchNorm}), so a mean beyond the
 * input format's range turns into another value. fl_layer_in is the BatchNorm's input's format, which the layers
 * before it fix: the export cannot move it for the pair, as it does the Scale's own fields.
 */
final class BatchNormMeanCheck {

    private BatchNormMeanCheck() {
    }

    /** One warning naming each such BatchNorm with its first wrapped channel, if any. */
    static List<Notice> of(Net net, NetParameter written) {
        List<String> named = new ArrayList<>();
        for (BatchNormPair pair : BatchNormPair.standalone(net)) {
            Layer bn = pair.batchNorm();
            PrecisionParameter block = block(written, bn.name());
            if (block == null || ChaidnnSupport.of(bn.param()) != ChaidnnSupport.DEVICE) {
                continue;
            }
            float[] mean = BatchNormStatistics.of(bn).mean();
            int channel = StandaloneBatchNorm.firstWrappedMean(mean, block.getFlLayerIn());
            if (channel >= 0) {
                named.add(String.format(Locale.ROOT, "'%s' (channel %d: mean %.4g, fl_layer_in %d)", bn.name(),
                        channel, mean[channel], block.getFlLayerIn()));
            }
        }
        if (named.isEmpty()) {
            return List.of();
        }
        return List.of(Notice.warning("BatchNorm" + (named.size() == 1 ? " " : "s ") + String.join(", ", named)
                + ", run with its Scale as one op of their own: CHaiDNN's runtime writes the mean into a 16-bit "
                + "constant at fl_layer_in + 8 fractional bits without saturating (xi_dnn_conv_utils.hpp, "
                + "load_mean_gamma_beta), so a mean beyond the input format's range wraps into another value and the "
                + "device computes that channel wrongly; the input's format is fixed by the layers before it; "
                + "validate computes it as the device does"));
    }

    private static PrecisionParameter block(NetParameter written, String name) {
        for (LayerParameter l : written.getLayerList()) {
            if (l.getName().equals(name) && l.hasPrecisionParam()) {
                return l.getPrecisionParam();
            }
        }
        return null;
    }
}
