package xportdnn.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.AveragePooling;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.precision.Requantizer;
import xportdnn.precision.ThresholdFormat;
import xportdnn.precision.XilinxScheme;
import xportdnn.quant.PoolingHeadroom;

/**
 * Chooses the output format of a group of tuned convolutions ({@link FormatGroups}): candidates around the
 * exported one (Xilinx: {@code th_layer_out} times 2^(i/8), i = -8..16; DynamicFixed: {@code fl_layer_out}
 * -3..+3), each scored by the squared error of the device's output against the float net's on the calibration
 * samples ({@link OutputSamples}): the accumulators requantized as the device does with the candidate's
 * multipliers, bias rounding and clipping (Xilinx clips a bias to +-th_layer_out) and saturation, after the fused
 * ReLU. Where a global average pooling alone reads the output (a classifier head), the error is that of the
 * pooled values as the device computes them, since the per-position values are only its inputs; where those pooled
 * values are the net's class scores (nothing but a Softmax reads them), it is their divergence from the float
 * scores ({@link ClassScoreDivergence}), which counts the classes competing for the top and not the hundreds far
 * below, whose squared error would otherwise decide (on SqueezeNet it favoured a finer step that clips the top
 * classes' scores). In DynamicFixed mode the pooling shifts those scores into its own {@code fl_layer_out}, which
 * no other step chooses (its writer is a pooling, not a tuned convolution): it is chosen jointly with the
 * group's, from its exported value -3 to the finest step the device's shift allows (the pair with the smallest
 * divergence). A candidate the
 * device cannot run (a DynamicFixed shift that would have to go left, or out of the pooling's shift range) is
 * skipped, and so is one under which a pooled code on a calibration image lacks {@link PoolingHeadroom}'s margin
 * (the device writes its low byte, it does not saturate: a wrapped top class is an arbitrary error on images not
 * seen, and a code just within the range on the calibration images wraps on others). The exported
 * format stays unless a candidate has a smaller error, both in total and on each half of
 * the images (even- and odd-numbered): a gain that a few images carry is noise, and does not hold on others.
 */
final class OutputFormatChoice {

    /** Xilinx candidates: th x 2^(i / STEPS_PER_OCTAVE) for i in LOWEST..HIGHEST. */
    private static final int STEPS_PER_OCTAVE = 8;
    private static final int LOWEST = -8;
    private static final int HIGHEST = 16;
    /** DynamicFixed candidates: fl_layer_out +- this. */
    private static final int FL_RANGE = 3;

    /**
     * A tuned convolution writing into the group.
     *
     * @param conv    the convolution (its block as exported)
     * @param samples its calibration samples
     * @param codes   the weight codes it will be written with (C x K)
     * @param input   its input format
     * @param weights its weights' format
     * @param relu    whether a ReLU is fused into it
     * @param bias    the bias it will be written with for an output format (real units, the device rounds it)
     */
    record Writer(Layer conv, OutputSamples samples, int[] codes, NumberFormat input, NumberFormat weights,
                  boolean relu, Function<NumberFormat, float[]> bias) {
    }

    /**
     * @param before      the exported output format
     * @param after       the chosen one (equal to before when none was better)
     * @param measuredAt  where the error was measured: "output", "after <pooling>", or "class scores after
     *                    <pooling>" (their divergence was minimized)
     * @param errorBefore the squared error with the exported format
     * @param errorAfter  with the chosen one
     * @param signal      the float values' energy, for SQNR
     * @param definition  the definition with the chosen format (the same as given when nothing changed)
     * @param pooling     the class scores' own format, where it was chosen with the group's (DynamicFixed), or null
     * @param wrapped     the calibration images on which a code of the pooling after the group wraps around with
     *                    the chosen formats (the exported ones, kept when no candidate is better, may)
     */
    record Choice(NumberFormat before, NumberFormat after, String measuredAt, double errorBefore, double errorAfter,
                  double signal, NetParameter definition, PoolingFormat pooling, int wrapped) {

        boolean changed() {
            return !after.equals(before) || pooling != null && !pooling.after().equals(pooling.before());
        }
    }

    private OutputFormatChoice() {
    }

    static Choice choose(Net net, NetParameter definition, PrecisionScheme scheme, FormatGroups.Group group,
                         List<Writer> writers, Map<String, Integer> order) {
        boolean xilinx = scheme instanceof XilinxScheme;
        Layer first = writers.get(0).conv();
        PrecisionParameter block = PrecisionScheme.block(first);
        NumberFormat exported = scheme.output(first, block);
        Layer pooling = group.pooledBy() != null && writers.size() == 1 && writers.get(0).samples().complete()
                ? group.pooledBy() : null;
        List<double[][]> accumulators = new ArrayList<>();
        for (Writer w : writers) {
            double[][] acc = new double[w.samples().images()][];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = w.samples().accumulators(i, w.codes());
            }
            accumulators.add(acc);
        }
        double signal = signal(writers, pooling);
        boolean classScores = pooling != null && classScores(net, pooling);
        double[][] targetSums = pooling == null ? null : targetSums(writers.get(0).samples());
        NetParameter bestDefinition = definition;
        NumberFormat best = exported;
        Error before = pooling == null ? error(net, definition, scheme, writers, accumulators, order)
                : pooledError(net, definition, scheme, pooling, classScores, order,
                        codeSums(net, definition, scheme, writers.get(0), accumulators.get(0), order), targetSums,
                        writers.get(0).samples().positions());
        Error bestError = before;
        List<Double> candidates = new ArrayList<>();
        if (xilinx) {
            for (int i = LOWEST; i <= HIGHEST; i++) {
                candidates.add(block.getThLayerOut() * Math.pow(2, (double) i / STEPS_PER_OCTAVE));
            }
        } else {
            for (int d = -FL_RANGE; d <= FL_RANGE; d++) {
                candidates.add((double) (block.getFlLayerOut() + d));
            }
        }
        // DynamicFixed class scores: the pooling writes them in its own fl_layer_out, chosen jointly.
        FormatGroups.Group scores = classScores && !xilinx ? scoresGroup(net, pooling) : null;
        List<Integer> poolCandidates = new ArrayList<>();
        if (scores == null) {
            poolCandidates.add(null);
        } else {
            // From a little coarser than exported to the finest the device's shift allows after the finest input
            // candidate (the runs check drops the pairs it cannot run): ties want a finer step than the export's.
            int finest = block.getFlLayerOut() + FL_RANGE + AveragePooling.MULTIPLIER_FRACTION;
            for (int fl = PrecisionScheme.block(pooling).getFlLayerOut() - FL_RANGE; fl <= finest; fl++) {
                poolCandidates.add(fl);
            }
        }
        for (double value : candidates) {
            NetParameter convCandidate = with(definition, group, order, xilinx, value);
            long[][] codeSums = null; // the pooled candidates', which differ only in the pooling's format
            for (Integer poolFl : poolCandidates) {
                NetParameter candidate = poolFl == null ? convCandidate
                        : with(convCandidate, scores, order, false, poolFl);
                if (!runs(net, candidate, scheme, group, order)
                        || scores != null && !runs(net, candidate, scheme, scores, order)) {
                    continue;
                }
                if (pooling != null && codeSums == null) {
                    codeSums = codeSums(net, convCandidate, scheme, writers.get(0), accumulators.get(0), order);
                }
                Error e = pooling == null ? error(net, candidate, scheme, writers, accumulators, order)
                        : pooledError(net, candidate, scheme, pooling, classScores, order, codeSums, targetSums,
                                writers.get(0).samples().positions());
                // A pooled code near the wrap on a calibration image wraps on others, an unbounded error.
                if (!e.headroom()) {
                    continue;
                }
                // Better in total and on either half of the images: a gain not carried by a few images.
                if (e.total() < bestError.total() && e.halves()[0] < before.halves()[0]
                        && e.halves()[1] < before.halves()[1]) {
                    bestError = e;
                    bestDefinition = candidate;
                    best = scheme.output(first, PrecisionScheme.block(layer(net, candidate, first.name(), order)));
                }
            }
        }
        String measuredAt = pooling == null ? "output"
                : (classScores ? "class scores after " : "after ") + pooling.name();
        PoolingFormat pooled = scores == null ? null : new PoolingFormat(pooling.name(),
                scheme.output(pooling, PrecisionScheme.block(pooling)),
                scheme.output(pooling, PrecisionScheme.block(layer(net, bestDefinition, pooling.name(), order))));
        return new Choice(exported, best, measuredAt, before.squared(), bestError.squared(), signal, bestDefinition,
                pooled, bestError.wrapped());
    }

    /**
     * The group of the class scores {@code pooling} writes in DynamicFixed mode, where its own {@code fl_layer_out}
     * sets their step: the pooling's output and the blocks reading it; null when another layer writes into it too.
     */
    private static FormatGroups.Group scoresGroup(Net net, Layer pooling) {
        FormatGroups.Group g = new FormatGroups(net, false).of(pooling.name());
        return g.writers().equals(Set.of(pooling.name())) ? g : null;
    }

    /**
     * The output format of the global average pooling that writes the class scores, chosen together with its
     * input's (DynamicFixed mode, where the pooling shifts into a format of its own).
     *
     * @param pooling its name
     * @param before  as exported
     * @param after   as chosen
     */
    record PoolingFormat(String pooling, NumberFormat before, NumberFormat after) {
    }

    /** The definition with the group's format set to {@code value} (a threshold, or a fractional length). */
    static NetParameter with(NetParameter definition, FormatGroups.Group group, Map<String, Integer> order,
                             boolean xilinx, double value) {
        NetParameter.Builder out = definition.toBuilder();
        for (String name : group.writingOut()) {
            LayerParameter.Builder l = out.getLayerBuilder(order.get(name));
            if (l.hasPrecisionParam() && l.getPrecisionParam().hasBwLayerOut()) {
                PrecisionParameter.Builder p = l.getPrecisionParamBuilder();
                if (xilinx) {
                    p.setThLayerOut((float) value);
                } else {
                    p.setFlLayerOut((int) value);
                }
            }
        }
        for (String name : group.readingIn()) {
            LayerParameter.Builder l = out.getLayerBuilder(order.get(name));
            if (l.hasPrecisionParam() && l.getPrecisionParam().hasBwLayerIn()) {
                PrecisionParameter.Builder p = l.getPrecisionParamBuilder();
                if (xilinx) {
                    p.setThLayerIn((float) value);
                } else {
                    p.setFlLayerIn((int) value);
                }
            }
        }
        return out.build();
    }

    /** The layer as {@code definition} states it (weights left out: only its block is read). */
    private static Layer layer(Net net, NetParameter definition, String name, Map<String, Integer> order) {
        return new Layer(definition.getLayer(order.get(name)), List.of(), net.layer(name).topShapes());
    }

    /**
     * Whether the device can run the changed layers: in DynamicFixed mode a convolution shifts its accumulator
     * right by fl_in + fl_params - fl_out (never left) and an average pooling by 0..63.
     */
    private static boolean runs(Net net, NetParameter definition, PrecisionScheme scheme, FormatGroups.Group group,
                                Map<String, Integer> order) {
        if (scheme instanceof XilinxScheme) {
            return true;
        }
        List<String> changed = new ArrayList<>(group.writingOut());
        changed.addAll(group.readingIn());
        for (String name : changed) {
            Layer l = layer(net, definition, name, order);
            PrecisionParameter p = PrecisionScheme.block(l);
            if (p == null) {
                continue;
            }
            if (l.layerType() == LayerType.CONVOLUTION && p.getFlLayerIn() + p.getFlParams() < p.getFlLayerOut()) {
                return false;
            }
            if (l.layerType() == LayerType.POOLING && l.param().getPoolingParam().getPool() == PoolMethod.AVE) {
                try {
                    scheme.averagePooling(l, p, PoolGeometry.of(l.param(), net.shape(l.bottoms().get(0))));
                } catch (ModelException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The error of one candidate.
     *
     * @param halves  what the choice minimizes, on the even-numbered images and on the odd-numbered ones: the
     *                squared error, or where the pooled values are the net's class scores their divergence
     * @param squared  the squared error over all images (for the report's SQNR)
     * @param headroom whether every pooled code keeps {@link PoolingHeadroom}'s margin (true where none is pooled)
     * @param wrapped  the images on which a pooled code wrapped around (the device does not saturate it)
     */
    private record Error(double[] halves, double squared, boolean headroom, int wrapped) {

        double total() {
            return halves[0] + halves[1];
        }
    }

    /** The squared error of the writers' outputs as the device computes them under {@code definition}. */
    private static Error error(Net net, NetParameter definition, PrecisionScheme scheme, List<Writer> writers,
                               List<double[][]> accumulators, Map<String, Integer> order) {
        double[] sum = new double[2];
        for (int w = 0; w < writers.size(); w++) {
            Writer writer = writers.get(w);
            NumberFormat output = output(net, definition, scheme, writer, order);
            Requantizer r = requantizer(writer, output);
            OutputSamples samples = writer.samples();
            for (int image = 0; image < samples.images(); image++) {
                double[] acc = accumulators.get(w)[image];
                float[] target = samples.target(image);
                for (int i = 0; i < acc.length; i++) {
                    double d = output.dequantize(r.apply((long) acc[i], i % samples.channels()), 0) - target[i];
                    sum[image % 2] += d * d;
                }
            }
        }
        return new Error(sum, sum[0] + sum[1], true, 0);
    }

    /**
     * Per image, the sum over the positions of each channel's output codes as the device computes them under
     * {@code definition}: what a global average pooling of the writer's output reads. It does not depend on the
     * pooling's own format.
     */
    private static long[][] codeSums(Net net, NetParameter definition, PrecisionScheme scheme, Writer writer,
                                     double[][] accumulators, Map<String, Integer> order) {
        Requantizer r = requantizer(writer, output(net, definition, scheme, writer, order));
        int channels = writer.samples().channels();
        long[][] sums = new long[accumulators.length][channels];
        for (int image = 0; image < accumulators.length; image++) {
            double[] acc = accumulators[image];
            for (int i = 0; i < acc.length; i++) {
                sums[image][i % channels] += r.apply((long) acc[i], i % channels);
            }
        }
        return sums;
    }

    /** Per image, the sum over the positions of each channel's float output. */
    private static double[][] targetSums(OutputSamples samples) {
        int channels = samples.channels();
        double[][] sums = new double[samples.images()][channels];
        for (int image = 0; image < sums.length; image++) {
            float[] target = samples.target(image);
            for (int i = 0; i < target.length; i++) {
                sums[image][i % channels] += target[i];
            }
        }
        return sums;
    }

    /**
     * The error of the values {@code pooling} computes from the device's code sums under {@code definition}
     * against the float averages: squared, or where they are the class scores their divergence.
     */
    private static Error pooledError(Net net, NetParameter definition, PrecisionScheme scheme, Layer pooling,
                                     boolean classScores, Map<String, Integer> order, long[][] codeSums,
                                     double[][] targetSums, int positions) {
        Layer pool = layer(net, definition, pooling.name(), order);
        PrecisionParameter p = PrecisionScheme.block(pool);
        AveragePooling average = scheme.averagePooling(pool, p, PoolGeometry.of(pool.param(),
                net.shape(pool.bottoms().get(0))));
        NumberFormat pooled = scheme.output(pool, p);
        double[] sum = new double[2];
        double[] divergence = new double[2];
        boolean headroom = true;
        int wrapped = 0;
        for (int image = 0; image < codeSums.length; image++) {
            boolean wraps = false;
            int channels = codeSums[image].length;
            double[] device = new double[channels];
            double[] reference = new double[channels];
            for (int c = 0; c < channels; c++) {
                device[c] = pooled.dequantize(average.apply(codeSums[image][c]), 0);
                wraps |= average.wraps(codeSums[image][c]);
                headroom &= PoolingHeadroom.holds(average, codeSums[image][c]);
                reference[c] = targetSums[image][c] / positions;
                double d = device[c] - reference[c];
                sum[image % 2] += d * d;
            }
            if (classScores) {
                divergence[image % 2] += ClassScoreDivergence.of(reference, device);
            }
            wrapped += wraps ? 1 : 0;
        }
        return new Error(classScores ? divergence : sum, sum[0] + sum[1], headroom, wrapped);
    }

    /** The output format {@code definition} gives the writer's convolution. */
    private static NumberFormat output(Net net, NetParameter definition, PrecisionScheme scheme, Writer writer,
                                       Map<String, Integer> order) {
        Layer conv = layer(net, definition, writer.conv().name(), order);
        return scheme.output(conv, PrecisionScheme.block(conv));
    }

    /** The device's requantization of the writer's accumulators into {@code output}, with its bias and ReLU. */
    private static Requantizer requantizer(Writer writer, NumberFormat output) {
        Requantizer r = output.fromProducts(writer.input(), writer.weights(), writer.bias().apply(output));
        return writer.relu() ? r.withRelu() : r;
    }

    /** Whether {@code pooling}'s output is the net's class scores: nothing but a Softmax reads it. */
    private static boolean classScores(Net net, Layer pooling) {
        String top = pooling.tops().get(0);
        return net.layers().stream().filter(l -> l != pooling && l.bottoms().contains(top))
                .allMatch(l -> l.layerType() == LayerType.SOFTMAX);
    }

    private static double signal(List<Writer> writers, Layer pooling) {
        double sum = 0;
        for (Writer w : writers) {
            OutputSamples samples = w.samples();
            int channels = samples.channels();
            for (int image = 0; image < samples.images(); image++) {
                float[] target = samples.target(image);
                double[] pooled = new double[channels];
                for (int i = 0; i < target.length; i++) {
                    if (pooling == null) {
                        sum += (double) target[i] * target[i];
                    } else {
                        pooled[i % channels] += target[i] / samples.positions();
                    }
                }
                for (double p : pooled) {
                    sum += p * p;
                }
            }
        }
        return sum;
    }

    /** How a format is named in the report: its threshold or fractional length. */
    static String describe(NumberFormat format) {
        return format instanceof ThresholdFormat t ? "th_layer_out " + t.threshold(0)
                : format instanceof FixedPointFormat f ? "fl_layer_out " + f.fractionalBits() : format.toString();
    }
}
