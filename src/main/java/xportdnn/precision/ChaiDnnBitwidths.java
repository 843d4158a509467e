package xportdnn.precision;

import xportdnn.model.ModelException;

/** The bitwidths CHaiDNN's hardware runs: 8 bits, or 6 bits held in 8-bit containers. */
public final class ChaiDnnBitwidths {

    private ChaiDnnBitwidths() {
    }

    /**
     * Refuses bitwidths other than 6 or 8 unless {@code allowAny}, and in any case bitwidths outside
     * {@link DynamicFixed#MIN_BITWIDTH}..{@link DynamicFixed#MAX_BITWIDTH}.
     */
    public static void check(InParamsOut bitwidths, boolean allowAny) {
        check("input", bitwidths.in(), allowAny);
        check("params", bitwidths.params(), allowAny);
        check("output", bitwidths.out(), allowAny);
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
