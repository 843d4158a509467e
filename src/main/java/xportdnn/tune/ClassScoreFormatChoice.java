package xportdnn.tune;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;

/**
 * Chooses a group's DynamicFixed {@code fl_layer_out} by the net's class scores on the calibration images
 * ({@link NetClassScores}) instead of by the error at the group's own output: with 6-bit activations every
 * candidate is a power-of-two step, and which of two steps (one clipping more, one rounding coarser) costs the
 * classification less is not what the squared error at the layer says. From the exported format it moves one
 * fractional bit at a time, first up, then (if up did not win) down, as long as the next format is better in total
 * and on each half of the images (even- and odd-numbered) than the best so far, at most
 * {@link OutputFormatChoice#FL_RANGE} bits away: each candidate costs a simulator pass of the whole net.
 */
final class ClassScoreFormatChoice {

    private ClassScoreFormatChoice() {
    }

    /**
     * @param divergence the class scores' divergence on the even and the odd images of the net as a definition
     *                   states it, with the writers' biases for the given output format
     */
    static OutputFormatChoice.Choice choose(Net net, NetParameter definition, PrecisionScheme scheme,
            FormatGroups.Group group, List<OutputFormatChoice.Writer> writers, Map<String, Integer> order,
            BiFunction<NetParameter, NumberFormat, double[]> divergence) {
        Layer first = writers.get(0).conv();
        int exported = PrecisionScheme.block(first).getFlLayerOut();
        NetParameter best = definition;
        double[] bestScore = divergence.apply(definition, scheme.output(first, PrecisionScheme.block(first)));
        for (int direction : new int[] {1, -1}) {
            for (int d = direction; Math.abs(d) <= OutputFormatChoice.FL_RANGE; d += direction) {
                NetParameter candidate = OutputFormatChoice.with(definition, group, order, false, exported + d);
                if (!OutputFormatChoice.runs(net, candidate, scheme, group, order)) {
                    break;
                }
                double[] score = divergence.apply(candidate,
                        OutputFormatChoice.format(net, candidate, scheme, first, order));
                if (!(score[0] + score[1] < bestScore[0] + bestScore[1] && score[0] < bestScore[0]
                        && score[1] < bestScore[1])) {
                    break;
                }
                best = candidate;
                bestScore = score;
            }
            if (best != definition) {
                break;
            }
        }
        return OutputFormatChoice.report(net, definition, best, scheme, group, writers, order,
                "class scores of the net");
    }
}
