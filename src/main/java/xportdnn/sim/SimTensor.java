package xportdnn.sim;

import java.util.Arrays;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.Requantizer;

/**
 * One blob's value during a simulated pass: integer {@link Codes} in the {@link NumberFormat} the device wrote them
 * in, or float values (the image, and outputs of layers the runtime computes in software). Never modified once made.
 */
final class SimTensor {

    private final int[] shape;
    private final Codes codes;
    private final NumberFormat format;
    private float[] values;

    private SimTensor(int[] shape, Codes codes, NumberFormat format, float[] values) {
        this.shape = shape;
        this.codes = codes;
        this.format = format;
        this.values = values;
    }

    static SimTensor ofCodes(int[] shape, Codes codes, NumberFormat format) {
        return new SimTensor(shape, codes, format, null);
    }

    static SimTensor ofValues(int[] shape, float[] values) {
        return new SimTensor(shape, null, null, values);
    }

    /**
     * A copy that outlives the pass: a step's output codes are overwritten by its next pass ({@link ReusedCodes}).
     */
    SimTensor copy() {
        if (codes == null) {
            return ofValues(shape, values.clone());
        }
        Codes kept = Codes.allocate(codes.bytes(), codes.length());
        codes.copy(0, kept, 0, codes.length());
        return ofCodes(shape, kept, format);
    }

    /** The bytes its codes or float values take. */
    long bytes() {
        return codes == null ? (long) values.length * Float.BYTES
                : (long) codes.length() * (codes.bytes() ? 1 : Integer.BYTES);
    }

    int[] shape() {
        return shape;
    }

    long[] longShape() {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    /** The format of the codes, or null for float values. */
    NumberFormat format() {
        return format;
    }

    /**
     * Values per channel and image (axis 1 is the channel axis; a format of several channels has a step per
     * channel of the activation).
     */
    int plane() {
        int plane = 1;
        for (int d = 2; d < shape.length; d++) {
            plane *= shape[d];
        }
        return Math.max(1, plane);
    }

    /** The values: the codes dequantized, or the float values. */
    float[] values() {
        if (values == null) {
            values = dequantized();
        }
        return values;
    }

    /** The values as {@link #values} gives them, in an array of the caller's, not kept here. */
    float[] valuesCopy() {
        return values != null ? values.clone() : dequantized();
    }

    private float[] dequantized() {
        return format.dequantize(codes.toInts(), plane());
    }

    /**
     * The codes on {@code target}'s scale without its saturation, within +-{@code limit} (float values are
     * quantized in {@code target}); read them, never modify them.
     */
    int[] codesOnScaleOf(NumberFormat target, int limit) {
        if (codes == null || target.equals(format)) {
            return codesIn(target).toInts();
        }
        return target.from(format).withinLimit(limit).applyAll(codes.toInts(), plane());
    }

    /**
     * The value as codes of {@code target}: the codes themselves when they are in it, codes of another format
     * moved by the target's {@link NumberFormat#from integer rescaling}, float values quantized (into ints: the
     * image, read once).
     */
    Codes codesIn(NumberFormat target) {
        if (codes == null) {
            return Codes.of(target.quantize(values, plane()));
        }
        if (target.equals(format)) {
            return codes;
        }
        Requantizer move = target.from(format);
        return Codes.narrowest(move.applyAll(codes.toInts(), plane()), move.lower(), move.upper());
    }
}
