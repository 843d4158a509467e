package xportdnn.tune;

import java.util.ArrayList;
import java.util.List;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;

/**
 * The weight formats tuning tries for a convolution, the exported one first. DynamicFixed holds one fractional
 * length for all of a layer's weights ({@code fl_params}); the export picks it by the weights' own rounding error,
 * which at 6 bits leaves the small weights few levels or clips the large ones, while what counts is the layer's
 * output error, which the rounding can partly make up for. So {@code fl_params} - 1 .. + 2 are tried, each with
 * its own tuned codes, where the device can run it: the convolution shifts its accumulator right by
 * {@code fl_layer_in + fl_params - fl_layer_out}, never left. A Xilinx layer keeps its per-channel thresholds.
 */
final class WeightFormatCandidates {

    /** Fractional lengths tried around the exported one. */
    private static final int COARSER = 1;
    private static final int FINER = 2;

    private WeightFormatCandidates() {
    }

    static List<NumberFormat> of(NumberFormat exported, NumberFormat input, NumberFormat output) {
        List<NumberFormat> out = new ArrayList<>();
        out.add(exported);
        if (exported instanceof FixedPointFormat w && input instanceof FixedPointFormat in
                && output instanceof FixedPointFormat o) {
            for (int fl = w.fractionalBits() - COARSER; fl <= w.fractionalBits() + FINER; fl++) {
                if (fl != w.fractionalBits() && in.fractionalBits() + fl >= o.fractionalBits()
                        && Math.abs(fl) <= FixedPointFormat.MAX_FRACTIONAL_BITS) {
                    out.add(new FixedPointFormat(w.bitwidth(), fl));
                }
            }
        }
        return out;
    }
}
