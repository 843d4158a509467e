package xportdnn.quant;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.ChannelStatistics;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.precision.BlockFloat;

/**
 * Block floating point with an exponent per channel of every activation blob (algorithms.md E: "activations: per
 * layer or per channel group", here groups of one channel), fixed offline from per-channel calibration statistics
 * channel by channel ({@link BlockFloatExponent}): the exponent of least KL divergence among the online one and the
 * {@value BlockFloatExponent#CANDIDATES} below. The classifier head keeps
 * one exponent per blob, as before: a blob an average pooling reads gets the exponent covering its max in every
 * channel (not clipped), and the pooling writes one of its own, covering the pooled max ({@link #wholeBlob}), with
 * {@link #GUARD_BITS} guard bits. So do the class scores ({@link ClassScores}; BFP's reference gives the classifier's
 * output one exponent, the online one of each image), without guard bits: a convolution saturates.
 *
 * <p>A blob's exponents follow the layers that write it, as the per-blob walk ({@link XilinxThresholds}) does: a
 * computing layer sets its top's from its own output's statistics (an in-place ReLU replaces its convolution's; an
 * in-place layer computed in float, e.g. a Sigmoid, raises them to its own, as one blob name holds both); a
 * pass-through layer (max pooling, Split, Dropout, a Slice along another axis...) hands its input's on; a Concat
 * along the channels puts its inputs' side by side (no re-alignment: each channel keeps its exponent), a Slice along
 * the channels hands each output its own channels'; a convolution's output channel is raised
 * to the exponent covering its bias where the bias would not fit (the device clips it); then, until nothing
 * changes, the inputs of an Eltwise on its inputs' scale (a plain sum or a max, {@link
 * XilinxThresholds#onInputScale}; a product or weighted sum, computed in float, reads each input in its own) are
 * re-aligned channel by channel to the largest of their exponents, a pass-through's input and output to the larger
 * of the two, and a Concat's output (a channel Slice's input) to its inputs' (outputs') exponents where those
 * rose.
 */
public final class ChannelExponents {

    /**
     * Most octaves a blob's channel exponents span: a channel keeps at least the largest exponent minus this. A
     * convolution aligns its input channels by shifting (2^16 at most here); a ReLU output channel that is almost
     * never positive would otherwise take an exponent of its tiny values (SqueezeNet's fire8 has one 53 octaves
     * below its blob's largest), whose codes no accumulator aligns. Its values below 2^-16 of the largest
     * channel's step still round to 0, as every value below that step would with one exponent per blob.
     */
    static final int SPAN = 16;

    /**
     * Guard bits of an average pooling's output: its exponent is this much above the one covering its calibrated
     * max, with as many more mantissa bits (the same step). The device's pooling writes the low bits of a value
     * beyond its format (it wraps around, where other layers saturate), and an offline exponent covers only the
     * calibration images: ResNet-20's airplanes put its pooled features' exponent where 3% of the other classes'
     * images wrapped. With 2 guard bits a pooled value wraps only past 4 times the calibrated range; the codes of
     * every value that fitted before are the same.
     */
    public static final int GUARD_BITS = 2;

    private ChannelExponents() {
    }

    /**
     * Per blob name, how many more mantissa bits than the scheme's bfp keeps it in: the residual stream's {@link
     * ResidualStream#EXTRA_BITS}, an average pooling's output {@link #GUARD_BITS}.
     */
    public static Map<String, Integer> widerMantissas(Net net) {
        Map<String, Integer> wider = new HashMap<>();
        ResidualStream.of(net).forEach(b -> wider.put(b, ResidualStream.EXTRA_BITS));
        for (Layer l : net.layers()) {
            if (averagePooling(l)) {
                wider.put(l.tops().get(0), GUARD_BITS);
            }
        }
        return wider;
    }

    /**
     * Every blob's exponents, by blob name, for {@code m}-bit mantissas.
     *
     * @param net        the float net as it is quantized (BatchNorm folded), its weights loaded
     * @param statistics per layer name, the per-channel statistics of its first output
     */
    public static Map<String, int[]> of(Net net, Map<String, ChannelStatistics> statistics, int m) {
        Set<String> unclipped = new HashSet<>(); // one exponent each, covering the max: read by an average pooling
        for (Layer l : net.layers()) {
            if (averagePooling(l)) {
                unclipped.add(l.bottoms().get(0));
            }
        }
        ClassScores.layers(net).forEach(l -> unclipped.add(net.layer(l).tops().get(0))); // or class scores
        Map<String, int[]> blobs = new HashMap<>();
        // per blob holding the values of in-place layers computed in float, the exponents its codes were written in
        Map<String, int[]> written = new HashMap<>();
        for (Layer l : net.layers()) {
            List<String> in = l.bottoms();
            if (!l.inPlace()) {
                l.tops().forEach(written::remove);
            }
            if (averagePooling(l) && statistics.containsKey(l.name())) {
                blobs.put(l.tops().get(0), Arrays.stream(wholeBlob(statistics.get(l.name()), m))
                        .map(e -> e + GUARD_BITS).toArray());
            } else if (keepsChannels(l, net) && blobs.containsKey(in.get(0))) {
                int[] e = blobs.get(in.get(0));
                l.tops().forEach(t -> blobs.put(t, e));
            } else if (channelSlice(l, net) && blobs.containsKey(in.get(0))) {
                int[] e = blobs.get(in.get(0));
                int from = 0;
                for (String t : l.tops()) {
                    int channels = net.shape(t)[1];
                    blobs.put(t, Arrays.copyOfRange(e, from, from + channels));
                    from += channels;
                }
            } else if (l.layerType() == LayerType.CONCAT && in.stream().allMatch(blobs::containsKey)
                    && concatAxis(l) == 1) {
                blobs.put(l.tops().get(0), in.stream().map(blobs::get).flatMapToInt(Arrays::stream).toArray());
            } else if (statistics.containsKey(l.name())) {
                ChannelStatistics s = statistics.get(l.name());
                int[] own = unclipped.contains(l.tops().get(0)) ? wholeBlob(s, m) : leastDivergence(s, m);
                int[] e = own;
                if (l.inPlace() && blobs.containsKey(in.get(0))
                        && (coversProducer(l) || written.containsKey(in.get(0)))) {
                    e = largest(written.computeIfAbsent(in.get(0), blobs::get), own);
                }
                int[] exponents = e;
                l.tops().forEach(t -> blobs.put(t, exponents));
            }
        }
        for (Layer l : net.layers()) {
            if (l.layerType() == LayerType.CONVOLUTION && l.weights().size() > 1 && blobs.containsKey(l.tops().get(0))) {
                coverBias(blobs.get(l.tops().get(0)), l.weights().get(1).data(), m);
            }
        }
        for (boolean changed = true; changed;) {
            changed = false;
            for (Layer l : net.layers()) {
                List<String> linked = l.layerType() == LayerType.ELTWISE
                        ? XilinxThresholds.onInputScale(l) ? l.bottoms() : List.of()
                        : keepsChannels(l, net) && !averagePooling(l)
                                ? List.of(l.bottoms().get(0), l.tops().get(0)) : List.of();
                if (linked.size() > 1 && linked.stream().allMatch(blobs::containsKey)) {
                    changed |= raiseToLargest(linked.stream().map(blobs::get).toList());
                }
                if (l.layerType() == LayerType.CONCAT && concatAxis(l) == 1 && blobs.containsKey(l.tops().get(0))
                        && l.bottoms().stream().allMatch(blobs::containsKey)) {
                    changed |= raiseConcat(blobs.get(l.tops().get(0)), l.bottoms().stream().map(blobs::get).toList());
                }
                if (channelSlice(l, net) && blobs.containsKey(l.bottoms().get(0))
                        && l.tops().stream().allMatch(blobs::containsKey)) { // a Concat backwards
                    changed |= raiseConcat(blobs.get(l.bottoms().get(0)), l.tops().stream().map(blobs::get).toList());
                }
            }
        }
        return blobs;
    }

    /**
     * Raises a channel Concat's output and its inputs, channel by channel, to the larger of the two: the inputs'
     * own arrays, since the layers producing them must write the codes the Concat places. Whether any changed.
     */
    private static boolean raiseConcat(int[] top, List<int[]> bottoms) {
        int[] joined = bottoms.stream().flatMapToInt(Arrays::stream).toArray();
        boolean changed = raiseToLargest(List.of(top, joined));
        int offset = 0;
        for (int[] b : bottoms) {
            for (int c = 0; c < b.length; c++) {
                if (joined[offset + c] > b[c]) { // only raising, so a blob concatenated twice settles too
                    b[c] = joined[offset + c];
                    changed = true;
                }
            }
            offset += b.length;
        }
        return changed;
    }

    /**
     * A layer whose outputs hold its input's values in its input's channels: a pass-through layer but a Flatten,
     * Reshape or Permute, which move values to other channels, so their outputs get exponents of their own; a
     * Slice along another axis than the channels.
     */
    private static boolean keepsChannels(Layer l, Net net) {
        return XilinxThresholds.PASS_THROUGH.contains(l.layerType())
                && !EnumSet.of(LayerType.FLATTEN, LayerType.RESHAPE, LayerType.PERMUTE).contains(l.layerType())
                || l.layerType() == LayerType.SLICE && sliceAxis(l, net) != 1;
    }

    /**
     * A Slice along the channels: each output takes its channels' exponents of the input. (Its statistics are
     * those of its first output only, so an exponent of its own would give the other outputs the first one's.)
     */
    private static boolean channelSlice(Layer l, Net net) {
        return l.layerType() == LayerType.SLICE && sliceAxis(l, net) == 1;
    }

    private static int sliceAxis(Layer l, Net net) {
        var p = l.param().getSliceParam();
        return p.hasSliceDim() ? (int) p.getSliceDim()
                : Shapes.axis(l.name(), "slice_param.axis", p.getAxis(), net.shape(l.bottoms().get(0)).length);
    }

    /**
     * An in-place layer the simulator computes in float (a Sigmoid, TanH, AbsVal, PReLU or leaky ReLU rewriting a
     * convolution's output, a BatchNorm or Scale left unfolded after an Eltwise): the one blob name holds the
     * producer's codes before it and its values after, which the next layer reads in the same exponents, so they
     * must cover both. (Taking the layer's own alone, a convolution before a Sigmoid wrote its output clipped at the
     * Sigmoid's range of 1.) Only the codes and the last values: the values between two such layers stay float. A
     * ReLU the device computes replaces its producer's exponents (its negative values go to 0, its positive ones
     * are the producer's) only when it reads codes: after a layer computed in float the simulator computes it in
     * float too, and the producer's codes are still written in the blob's exponents.
     */
    private static boolean coversProducer(Layer l) {
        return l.inPlace() && !(l.layerType() == LayerType.RELU
                && ChaidnnSupport.of(l.param()) != ChaidnnSupport.UNSUPPORTED);
    }

    /** Channel by channel, the larger of two exponent arrays of one blob. */
    private static int[] largest(int[] a, int[] b) {
        int[] e = a.clone();
        raiseToLargest(List.of(e, b.clone()));
        return e;
    }

    /** Raises every array channel by channel to the largest; whether any changed. */
    private static boolean raiseToLargest(List<int[]> exponents) {
        boolean changed = false;
        int channels = exponents.get(0).length;
        for (int[] e : exponents) {
            if (e.length != channels) {
                throw new IllegalArgumentException("blobs of " + channels + " and " + e.length + " channels joined");
            }
        }
        for (int c = 0; c < channels; c++) {
            int largest = Integer.MIN_VALUE;
            for (int[] e : exponents) {
                largest = Math.max(largest, e[c]);
            }
            for (int[] e : exponents) {
                changed |= e[c] != largest;
                e[c] = largest;
            }
        }
        return changed;
    }

    /** Raises channel c's exponent until it holds |bias[c]|. */
    private static void coverBias(int[] exponents, float[] bias, int m) {
        for (int c = 0; c < Math.min(exponents.length, bias.length); c++) {
            if (Math.abs(bias[c]) > BlockFloat.threshold(exponents[c], m)) {
                exponents[c] = BlockFloat.exponentCovering(Math.abs(bias[c]), m);
            }
        }
    }

    /** Each channel's exponent of least KL divergence. */
    static int[] leastDivergence(ChannelStatistics s, int m) {
        int[] e = new int[s.channels()];
        for (int c = 0; c < e.length; c++) {
            AbsHistogram h = s.histogram(c);
            e[c] = h == null ? Integer.MIN_VALUE : BlockFloatExponent.exponent(h, m);
        }
        return zeroChannels(e);
    }

    /**
     * One exponent for every channel: the one covering the blob's max (the largest channel's). For the blobs of the
     * classifier head (read or written by an average pooling): their channels are class-specific (SqueezeNet's
     * conv_final has one per class), and a class the calibration images do not show gets a channel range too small
     * for the images that do. Nor is a blob an average pooling reads clipped: the average of k values divides their
     * rounding noise's power by k but keeps the bias of clipping, which the KL divergence of the per-value histogram
     * does not see (SqueezeNet's head, max 703 on the calibration images, was clipped at 63.5). Measured on
     * SqueezeNet's calibration images alone (histograms of the first 32, top-1 agreement with float on the other
     * 32): per-channel head 26 of 32 (pool_final 14.9 dB), one exponent per head blob 29 (15.7 dB), one per blob
     * everywhere 29 (14.5 dB).
     */
    static int[] wholeBlob(ChannelStatistics s, int m) {
        float max = 0;
        for (int c = 0; c < s.channels(); c++) {
            max = Math.max(max, s.maxAbs(c));
        }
        int[] e = new int[s.channels()];
        Arrays.fill(e, max > 0 ? BlockFloat.exponentCovering(max, m) : 0);
        return e;
    }

    /**
     * An all-zero channel holds only code 0 under any exponent: it takes the smallest of the others (0 when all are
     * zero), so that a convolution reading the blob need not align it further ({@link
     * xportdnn.precision.ChannelAlignment}); and no channel is more than {@link #SPAN} below the largest.
     */
    private static int[] zeroChannels(int[] e) {
        int largest = Arrays.stream(e).filter(x -> x != Integer.MIN_VALUE).max().orElse(0);
        int smallest = Arrays.stream(e).filter(x -> x != Integer.MIN_VALUE).min().orElse(0);
        for (int c = 0; c < e.length; c++) {
            if (e[c] == Integer.MIN_VALUE) {
                e[c] = smallest;
            }
            e[c] = Math.max(e[c], largest - SPAN);
        }
        return e;
    }

    private static boolean averagePooling(Layer l) {
        return l.layerType() == LayerType.POOLING && l.param().getPoolingParam().getPool() == PoolMethod.AVE;
    }

    private static int concatAxis(Layer l) {
        var p = l.param().getConcatParam();
        return p.hasConcatDim() ? (int) p.getConcatDim() : p.getAxis();
    }
}
