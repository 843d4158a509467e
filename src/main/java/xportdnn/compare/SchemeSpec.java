package xportdnn.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import xportdnn.model.ModelException;
import xportdnn.precision.F8Net;

/**
 * One number scheme of {@code xportdnn compare}, as the user names it: a family and a bitwidth, e.g.
 * {@code xilinx:8} or {@code naive:4}.
 *
 * @param family how values become codes
 * @param bits   total bits of weights and activations
 */
public record SchemeSpec(Family family, int bits) {

    /** The narrowest and widest bitwidths a scheme takes. */
    static final int MIN_BITS = 2;
    static final int MAX_BITS = 16;

    /** The scheme families, each with the name users write. */
    public enum Family {
        /** CHaiDNN's Xilinx mode as the exporter writes it (kl-j activation thresholds, per-channel weights). */
        XILINX("xilinx"),
        /** CHaiDNN's DynamicFixed mode with formats chosen per layer from calibration ({@code auto}). */
        DYNAMICFIXED("dynamicfixed"),
        /** Per-tensor max-scaled uniform quantization of weights and activations, the papers' baseline. */
        NAIVE("naive"),
        /**
         * Block floating point: an exponent per weight output channel and per channel of every activation blob
         * (offline, minimum KL per channel; a blob an average pooling reads unclipped), B-bit mantissas; an
         * Eltwise's inputs share exponents channel by channel.
         */
        BFP("bfp"),
        /**
         * ACIQ (Banner et al. 2019): activations clipped analytically (Laplace), weights at per-channel bitwidths
         * averaging B, bias-corrected.
         */
        ACIQ("aciq"),
        /**
         * F8Net's fixed-point formats (algorithms.md F): 8-bit codes whose fractional length is the one of least
         * squared error (each activation tensor's on the calibration images, each weight output channel's over its
         * folded weights), unsigned after a ReLU, rescaled between layers by shifts rounding half to even.
         */
        F8NET("f8net");

        final String key;

        Family(String key) {
            this.key = key;
        }
    }

    public SchemeSpec {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new ModelException("--schemes: " + family.key + ":" + bits + ": bits outside " + MIN_BITS + ".."
                    + MAX_BITS);
        }
        if (family == Family.F8NET && bits != F8Net.BITS) {
            throw new ModelException("--schemes: f8net:" + bits + ": F8Net's constants (c = 40 signed, 70 unsigned, "
                    + "spec/algorithms.md F) are published for 8 bits only; use f8net:8");
        }
    }

    /**
     * Whether the scheme quantizes InnerProduct layers as convolutions ({@link InnerProductConvolutions}), as the
     * papers' code does; CHaiDNN's two modes run them in software, in float.
     */
    public boolean quantizesInnerProducts() {
        return family != Family.XILINX && family != Family.DYNAMICFIXED;
    }

    /** The name as the user writes it, e.g. {@code naive:8}. */
    public String label() {
        return family.key + ":" + bits;
    }

    /** Every family name, as help texts show them. */
    public static List<String> familyNames() {
        return Arrays.stream(Family.values()).map(f -> f.key + ":B").toList();
    }

    /** Parses {@code FAMILY:BITS}. */
    public static SchemeSpec parse(String text) {
        String[] parts = text.trim().split(":", -1);
        Family family = Arrays.stream(Family.values()).filter(f -> f.key.equals(parts[0].toLowerCase(Locale.ROOT)))
                .findFirst().orElse(null);
        if (parts.length != 2 || family == null) {
            throw new ModelException("--schemes: '" + text + "' is not one of " + String.join(", ", familyNames()));
        }
        try {
            return new SchemeSpec(family, Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new ModelException("--schemes: '" + text + "': '" + parts[1] + "' is not a number of bits");
        }
    }

    /** Parses a comma-separated list, refusing an empty one and repeats. */
    public static List<SchemeSpec> parseList(String list) {
        List<SchemeSpec> out = new ArrayList<>();
        for (String item : list.split(",", -1)) {
            SchemeSpec s = parse(item);
            if (out.contains(s)) {
                throw new ModelException("--schemes: " + s.label() + " is listed twice");
            }
            out.add(s);
        }
        return out;
    }
}
