package xportdnn.precision;

import static xportdnn.precision.BlockFields.checked;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.BlockFields.FixedPoint;

/**
 * F8Net ({@link F8NetFormat}), a scheme of {@code xportdnn compare} that CHaiDNN does not run: blocks of
 * {@code quant_type: "F8Net"} hold {@code bw/fl_layer_in}, {@code bw/fl_layer_out} and, on a convolution,
 * {@code bw_params} with {@code fl_params} (one fl for all weights) or {@code th_params} (an fl per output
 * channel, {@link #block}), every bitwidth 8 but a 32-bit accumulator's ({@link F8NetFormat#wide}: an output or
 * input of 32 bits). Whether a format is signed is not in the block but in the net: a ReLU's
 * output is unsigned, so is the output of a layer that a ReLU rewrites in place next (F8Net's ReLU is the clamp
 * of unsigned codes), and a Pooling's or Concat's whose inputs all are; a layer reads its input in the signedness
 * of the layer that last wrote it. F8Net computes average pooling as a sum with more fractional bits
 * whose factor goes into the next layer, which is the exact average: such a layer carries no block (the simulator
 * computes it in float).
 */
public final class F8NetScheme implements PrecisionScheme {

    public static final String QUANT_TYPE = "F8Net";

    /**
     * A layer's fractional lengths: its input's, its output's and, for a convolution, its weights' per output
     * channel (empty for other layers); whether its input and its output are 32-bit accumulators
     * ({@link F8NetFormat#wide}) rather than 8-bit codes.
     */
    public record Lengths(int in, List<Integer> weights, int out, boolean wideIn, boolean wideOut) {

        public Lengths {
            weights = List.copyOf(weights);
        }

        /** 8-bit input and output. */
        public Lengths(int in, List<Integer> weights, int out) {
            this(in, weights, out, false, false);
        }
    }

    /**
     * The block of a layer of type {@code type} with fractional lengths {@code fl}: 8-bit input and output formats
     * ({@value F8Net#ACCUMULATOR_BITS}-bit where {@code fl} says wide), a convolution's 8-bit weights with channel c's fl as {@code th_params} {@code 127 * 2^-fl[c]} (the value of the
     * largest code, what a Xilinx weight threshold means: exact in float).
     */
    public static PrecisionParameter block(LayerType type, Lengths fl) {
        PrecisionParameter.Builder p = PrecisionParameter.newBuilder().setQuantType(QUANT_TYPE)
                .setBwLayerIn(width(fl.wideIn())).setFlLayerIn(fl.in()).setBwLayerOut(width(fl.wideOut()))
                .setFlLayerOut(fl.out());
        if (type == LayerType.CONVOLUTION) {
            p.setBwParams(F8Net.BITS);
            fl.weights().forEach(w -> p.addThParams(largestWeight(w)));
        }
        return p.build();
    }

    private static int width(boolean wide) {
        return wide ? F8Net.ACCUMULATOR_BITS : F8Net.BITS;
    }

    /** The value of the largest signed code at fractional length {@code fl}. */
    private static float largestWeight(int fl) {
        return (float) Math.scalb((double) F8Net.maxCode(true), -fl);
    }

    /** Layers whose output is never negative. */
    private final Set<String> unsignedOutputs = new HashSet<>();
    /** Per layer, whether the blob it reads first was last written as an unsigned output. */
    private final Map<String, Boolean> unsignedInputs = new HashMap<>();

    public F8NetScheme(Net net) {
        List<Layer> layers = net.layers();
        Map<String, Boolean> blobUnsigned = new HashMap<>(); // per blob, whether its last writer so far is unsigned
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (!l.bottoms().isEmpty()) {
                unsignedInputs.put(l.name(), blobUnsigned.getOrDefault(l.bottoms().get(0), false));
            }
            boolean unsigned = switch (l.layerType()) {
                case RELU -> l.plainRelu();
                case POOLING, CONCAT -> !l.bottoms().isEmpty()
                        && l.bottoms().stream().allMatch(b -> blobUnsigned.getOrDefault(b, false));
                default -> false;
            } || rectifiedInPlace(layers, i);
            if (unsigned) {
                unsignedOutputs.add(l.name());
            }
            l.tops().forEach(t -> blobUnsigned.put(t, unsigned));
        }
    }

    /**
     * Whether the next layer reading layer {@code index}'s only output is a plain ReLU rewriting it in place: F8Net
     * then writes the output unsigned, the ReLU being the clamp at code 0.
     */
    private static boolean rectifiedInPlace(List<Layer> layers, int index) {
        if (layers.get(index).tops().size() != 1) {
            return false;
        }
        String blob = layers.get(index).tops().get(0);
        for (int k = index + 1; k < layers.size(); k++) {
            Layer l = layers.get(k);
            if (l.bottoms().contains(blob)) {
                return l.plainRelu() && l.inPlace();
            }
        }
        return false;
    }

    /**
     * Whether the layer's output is unsigned: a ReLU's, one a ReLU rewrites in place next, a Pooling's or
     * Concat's of unsigned inputs.
     */
    public boolean unsignedOutput(Layer layer) {
        return unsignedOutputs.contains(layer.name());
    }

    /** Whether the layer reads its (first) input as unsigned codes. */
    public boolean unsignedInput(Layer layer) {
        return unsignedInputs.getOrDefault(layer.name(), false);
    }

    @Override
    public String quantType() {
        return QUANT_TYPE;
    }

    @Override
    public NumberFormat input(Layer layer, PrecisionParameter p) {
        FixedPoint f = FixedPoint.input(layer, p);
        return format(layer, f.bw(), unsignedInput(layer), f.fl());
    }

    @Override
    public NumberFormat output(Layer layer, PrecisionParameter p) {
        FixedPoint f = FixedPoint.output(layer, p);
        return format(layer, f.bw(), unsignedOutput(layer), f.fl());
    }

    /**
     * One fl for all the weights ({@code fl_params}), or one per output channel ({@code th_params}, see
     * {@link #block}).
     */
    @Override
    public NumberFormat weights(Layer layer, PrecisionParameter p, Blob weights, boolean fused) {
        if (p.getBwParams() != F8Net.BITS && (p.hasBwParams() || p.getThParamsCount() > 0)) {
            throw ModelException.inLayer(layer.name(), "precision_param: F8Net weights are " + F8Net.BITS
                    + "-bit, not bw_params " + p.getBwParams());
        }
        if (p.getThParamsCount() == 0) {
            FixedPoint f = FixedPoint.params(layer, p);
            return format(layer, f.bw(), false, f.fl());
        }
        if (p.getThParamsCount() != weights.shape()[0]) {
            throw ModelException.inLayer(layer.name(), "precision_param has " + p.getThParamsCount()
                    + " th_params for " + weights.shape()[0] + " output channels");
        }
        int[] fl = new int[p.getThParamsCount()];
        for (int c = 0; c < fl.length; c++) {
            float th = p.getThParams(c);
            fl[c] = th > 0 ? -Math.getExponent(th / F8Net.maxCode(true)) : Integer.MIN_VALUE;
            if (th <= 0 || fl[c] < F8Net.MIN_FL || fl[c] > F8Net.MAX_FL || largestWeight(fl[c]) != th) {
                throw ModelException.inLayer(layer.name(), "precision_param th_params " + th + " (channel " + c
                        + ") is not an F8Net weight range 127 * 2^-fl, fl " + F8Net.MIN_FL + ".." + F8Net.MAX_FL);
            }
        }
        return new F8NetWeights(fl);
    }

    @Override
    public AveragePooling averagePooling(Layer layer, PrecisionParameter block, PoolGeometry window) {
        throw ModelException.inLayer(layer.name(), "an F8Net block on an average pooling: F8Net's pooling is the "
                + "exact average, computed in float without a block");
    }

    /** An 8-bit format, or a 32-bit accumulator (an activation, never the weights). */
    private static NumberFormat format(Layer layer, int bw, boolean unsigned, int fl) {
        if (bw != F8Net.BITS && bw != F8Net.ACCUMULATOR_BITS) {
            throw ModelException.inLayer(layer.name(), "precision_param: F8Net formats are " + F8Net.BITS
                    + "-bit (" + F8Net.ACCUMULATOR_BITS + "-bit accumulators), not " + bw);
        }
        return checked(layer, () -> new F8NetFormat(!unsigned, fl, bw));
    }
}
