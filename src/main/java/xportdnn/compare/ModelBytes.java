package xportdnn.compare;

import java.util.Set;
import xportdnn.model.ActivationFootprint;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.AciqWeights;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.sim.FixedPointNet;

/**
 * What a scheme's model takes (algorithms.md G): the bytes of its parameters and the activation footprint of one image,
 * counted as the simulator runs it. A convolution with a block stores its weights at the block's {@code bw_params} bits
 * plus its scales (Xilinx: a float32 threshold per output channel; naive: one per layer; DynamicFixed: one byte for
 * fl_params; F8Net: one byte per output channel's fractional length (one byte for fl_params in a block with a single
 * fl); BFP: a one-byte exponent per output channel, one for a fully connected layer's; ACIQ: its codes at each
 * channel's width, and per channel a float32 scale, a one-byte mean offset and a one-byte width) and its biases at 32
 * bits (the accumulator's word). An InnerProduct the literature's schemes quantize is such a convolution
 * ({@link InnerProductConvolutions}); every other parameter (layers computed in float, e.g. InnerProduct in CHaiDNN's
 * modes, which its runtime computes in software) stays float32.
 */
final class ModelBytes {

    static final int FLOAT_BITS = 32;
    private static final int FLOAT_BYTES = FLOAT_BITS / 8;

    private ModelBytes() {
    }

    /** The float net's parameter bytes. */
    static long ofFloat(Net net) {
        return net.layers().stream().flatMap(l -> l.weights().stream()).mapToLong(b -> b.count() * FLOAT_BYTES).sum();
    }

    /**
     * The parameter bytes of a quantized net of {@code family}, its weights loaded, simulated by {@code sim}; for
     * BFP also its activations' exponents, one byte each (one per channel of every blob).
     *
     * @param fullyConnected the convolutions that were InnerProducts: BFP stores one weight exponent for each
     */
    static long of(Net quantized, SchemeSpec.Family family, FixedPointNet sim, Set<String> fullyConnected) {
        long bytes = family == SchemeSpec.Family.BFP ? activationExponents(sim) : 0;
        for (Layer l : quantized.layers()) {
            PrecisionParameter block = PrecisionScheme.block(l);
            boolean integer = l.layerType() == LayerType.CONVOLUTION && block != null && block.hasBwParams();
            for (int i = 0; i < l.weights().size(); i++) {
                Blob b = l.weights().get(i);
                bytes += integer && i == 0 ? weightBytes(family, block, b) : b.count() * FLOAT_BYTES;
            }
            if (integer && !l.weights().isEmpty()) {
                bytes += family == SchemeSpec.Family.BFP && fullyConnected.contains(l.name()) ? 1
                        : scaleBytes(family, block);
            }
        }
        return bytes;
    }

    /**
     * BFP's activation exponents: one per channel of every blob the device holds in codes, and of the image it
     * quantizes (the images' channels).
     */
    static long activationExponents(FixedPointNet sim) {
        long exponents = sim.blobFormats().values().stream().mapToLong(NumberFormat::channels).sum();
        for (String input : sim.inputNames()) {
            exponents += sim.net().shape(input)[1];
        }
        return exponents;
    }

    /** The bytes of one convolution's weight codes: {@code bw_params} bits each, ACIQ's at their channel's width. */
    static long weightBytes(SchemeSpec.Family family, PrecisionParameter block, Blob weights) {
        if (family != SchemeSpec.Family.ACIQ) {
            return (weights.count() * block.getBwParams() + 7) / 8;
        }
        int channels = weights.shape()[0];
        AciqWeights format = AciqWeights.of(weights.data(), channels, block.getBwParams());
        long perChannel = weights.count() / channels;
        long bits = 0;
        for (int c = 0; c < channels; c++) {
            bits += format.bits(c) * perChannel;
        }
        return (bits + 7) / 8;
    }

    /** The bytes of one convolution's weight scales. */
    static long scaleBytes(SchemeSpec.Family family, PrecisionParameter block) {
        return switch (family) {
            case XILINX -> (long) FLOAT_BYTES * block.getThParamsCount();
            case NAIVE -> FLOAT_BYTES;
            case DYNAMICFIXED -> 1; // one fractional length
            case F8NET -> Math.max(1, block.getThParamsCount()); // one fractional length, or one per output channel
            case BFP -> block.getThParamsCount(); // one 8-bit exponent per output channel
            // per output channel: a float32 scale, the 8-bit mean offset and the 8-bit width
            case ACIQ -> (FLOAT_BYTES + 2L) * block.getThParamsCount();
        };
    }

    /** The float net's activation footprint, one image. */
    static long floatFootprint(Net net) {
        return ActivationFootprint.of(net, blob -> FLOAT_BITS).peakBytes();
    }

    /**
     * The simulated net's activation footprint, one image: a blob the device writes at its format's bitwidth (but
     * for ACIQ, a (B + 1)-bit format holds unsigned B-bit codes: B), the image at the widest {@code bw_layer_in} of
     * the layers reading it (the device holds it in their input format: ACIQ's 16-bit codes; {@code bits} when no
     * reader has one), blobs computed in float at 32 bits.
     */
    static long footprint(FixedPointNet sim, SchemeSpec spec) {
        int bits = spec.bits();
        var formats = sim.blobFormats();
        return ActivationFootprint.of(sim.net(), blob -> {
            NumberFormat f = formats.get(blob);
            int width = f != null ? f.bitwidth() : sim.inputNames().contains(blob) ? inputBits(sim.net(), blob, bits)
                    : FLOAT_BITS;
            return spec.family() == SchemeSpec.Family.ACIQ && width == bits + 1 ? bits : width;
        }).peakBytes();
    }

    /** The widest {@code bw_layer_in} of the layers reading the net input {@code blob}; {@code bits} without one. */
    private static int inputBits(Net net, String blob, int bits) {
        return net.layers().stream().filter(l -> l.bottoms().contains(blob)).map(PrecisionScheme::block)
                .filter(b -> b != null && b.hasBwLayerIn()).mapToInt(PrecisionParameter::getBwLayerIn).max()
                .orElse(bits);
    }
}
