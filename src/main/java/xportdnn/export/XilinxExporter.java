package xportdnn.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.ChaiDnnBitwidths;
import xportdnn.precision.InParamsOut;
import xportdnn.precision.XilinxScheme;
import xportdnn.quant.XilinxThresholds.LayerThresholds;
import xportdnn.quant.XilinxThresholds;

/**
 * The original tool's Xilinx mode: the user's net, batch 1, with a {@code precision_param} block on every layer
 * type CHaiDNN reads one from in Xilinx mode (spec/chaidnn-precision.md sections 3 and 5) and on no other layer.
 * The thresholds come from {@link XilinxThresholds}, the fields each block holds from {@link XilinxScheme#block}.
 * Layers CHaiDNN does not support get no block.
 */
public final class XilinxExporter {

    /**
     * Written instead of a threshold of 0 (a blob that was all zeros on the calibration images, or a weight
     * channel of zeros): the runtime divides by thresholds.
     */
    public static final float ZERO_THRESHOLD_STAND_IN = 1e-6f;

    /** What the warning about a {@link #ZERO_THRESHOLD_STAND_IN} says of the threshold it replaced. */
    public static final String ZERO_THRESHOLD = "is 0 (all-zero weights or outputs)";

    /**
     * @param net             the quantized net: the user's definition, batch 1, with the precision blocks
     * @param blockCount      how many precision_param blocks were written
     * @param rebatchedInputs Input layers whose batch dimension was rewritten to 1, with their old batch
     * @param zeroThresholds  where a threshold of 0 was replaced by {@link #ZERO_THRESHOLD_STAND_IN}, one line
     *                        each, e.g. {@code layer 'conv3': th_layer_out} or
     *                        {@code layer 'conv3': th_params of output channels 4, 9}, in layer order
     */
    public record Result(NetParameter net, int blockCount, Map<String, Long> rebatchedInputs,
            List<String> zeroThresholds) {

        public boolean batchChanged() {
            return !rebatchedInputs.isEmpty();
        }
    }

    private XilinxExporter() {
    }

    /**
     * @param bitwidths        total bits of input activations, weights, output activations ({@code --bitwidths});
     *                         the Input layer's output is written with the input bitwidth, the image being the
     *                         first layer's input
     * @param thresholds       the thresholds of this net's layers
     * @param allowAnyBitwidth accept bitwidths other than CHaiDNN's 6 and 8, and input and output
     *                         activations of different widths
     * @throws xportdnn.model.ModelException for unsupported bitwidths
     */
    public static Result export(Net net, InParamsOut bitwidths, XilinxThresholds thresholds,
            boolean allowAnyBitwidth) {
        ChaiDnnBitwidths.check(bitwidths, allowAnyBitwidth);
        NetParameter.Builder out = net.definition().toBuilder();
        Map<String, Long> rebatched = BatchDimension.setToOne(out);
        List<String> zeros = new ArrayList<>();
        int blocks = 0;
        for (LayerParameter.Builder layer : out.getLayerBuilderList()) {
            layer.clearPrecisionParam();
            if (LayerType.of(layer.getType()).carriesXilinxBlock()
                    && ChaidnnSupport.of(layer.build()) != ChaidnnSupport.UNSUPPORTED) {
                layer.setPrecisionParam(block(LayerType.of(layer.getType()), thresholds.of(layer.getName()), bitwidths,
                        zeros));
                blocks++;
            }
        }
        return new Result(out.build(), blocks, rebatched, List.copyOf(zeros));
    }

    /** The layer's block, every threshold of 0 replaced by the stand-in and noted in {@code zeros}. */
    private static PrecisionParameter block(LayerType type, LayerThresholds t, InParamsOut bw, List<String> zeros) {
        return XilinxScheme.block(type, bw, new XilinxScheme.Thresholds() {
            @Override
            public float in() {
                return positive(t.in(), t, "th_layer_in", zeros);
            }

            @Override
            public float out() {
                return positive(t.out(), t, "th_layer_out", zeros);
            }

            @Override
            public float[] params() {
                return positiveParams(t, zeros);
            }
        });
    }

    private static float[] positiveParams(LayerThresholds t, List<String> zeros) {
        float[] th = t.params().clone();
        List<Integer> zeroChannels = new ArrayList<>();
        for (int c = 0; c < th.length; c++) {
            if (!(th[c] > 0)) {
                zeroChannels.add(c);
                th[c] = ZERO_THRESHOLD_STAND_IN;
            }
        }
        if (!zeroChannels.isEmpty()) {
            zeros.add("layer '" + t.name() + "': th_params of output channel"
                    + (zeroChannels.size() == 1 ? " " : "s ")
                    + zeroChannels.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        return th;
    }

    private static float positive(double threshold, LayerThresholds t, String field, List<String> zeros) {
        float f = (float) threshold;
        if (f > 0) {
            return f;
        }
        zeros.add("layer '" + t.name() + "': " + field);
        return ZERO_THRESHOLD_STAND_IN;
    }
}
