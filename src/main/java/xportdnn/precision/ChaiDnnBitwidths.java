package xportdnn.precision;

import xportdnn.model.ModelException;

/** The bitwidths CHaiDNN's hardware runs: 8 bits, or 6 bits held in 8-bit containers. */
public final class ChaiDnnBitwidths {

    private ChaiDnnBitwidths() {
    }

    /**
     * Refuses bitwidths other than 6 or 8 unless {@code allowAny}, and in any case bitwidths outside
     * {@link DynamicFixed#MIN_BITWIDTH}..{@link DynamicFixed#MAX_BITWIDTH}; then, unless {@code allowAny}, input and
     * output activations of different bitwidths: CHaiDNN runs every layer's activations at one bitwidth (a layer's
     * output is the next one's input; the spec's "the same for every layer's activations"), so 6,8,8 is a file it
     * does not run as the simulator does. The one rule of both exporters and the export's settings.
     */
    public static void check(InParamsOut bitwidths, boolean allowAny) {
        check("input", bitwidths.in(), allowAny);
        check("params", bitwidths.params(), allowAny);
        check("output", bitwidths.out(), allowAny);
        if (!allowAny && bitwidths.in() != bitwidths.out()) {
            throw new ModelException("--bitwidths " + bitwidths.in() + "," + bitwidths.params() + "," + bitwidths.out()
                    + ": input and output activations differ (" + bitwidths.in() + " and " + bitwidths.out()
                    + " bits), but CHaiDNN runs every layer's activations at one bitwidth, as each layer's output is "
                    + "the next one's input: give " + bitwidths.out() + "," + bitwidths.params() + ","
                    + bitwidths.out() + " or " + bitwidths.in() + "," + bitwidths.params() + "," + bitwidths.in()
                    + " (--allow_any_bitwidth overrides)");
        }
    }

    private static void check(String role, int bw, boolean allowAny) {
        if (bw < DynamicFixed.MIN_BITWIDTH || bw > DynamicFixed.MAX_BITWIDTH) {
            throw new ModelException("bitwidth " + bw + " for the " + role + " is outside "
                    + DynamicFixed.MIN_BITWIDTH + ".." + DynamicFixed.MAX_BITWIDTH);
        }
        if (!allowAny && bw != 6 && bw != 8) {
            throw new ModelException("bitwidth " + bw + " for the " + role
                    + " is not supported: CHaiDNN supports only 6 or 8 bits (--allow_any_bitwidth overrides)");
        }
    }
}
