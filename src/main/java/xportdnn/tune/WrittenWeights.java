package xportdnn.tune;

import xportdnn.precision.NumberFormat;

/**
 * The float weights to write so that the runtime, which quantizes the caffemodel's floats itself with the
 * prototxt's format, arrives at exactly the chosen codes: each code's own value (code x step), nudged by an ulp
 * where float rounding would carry it to a neighbour. Checked with the format's own quantization, which is the
 * runtime's.
 */
final class WrittenWeights {

    private WrittenWeights() {
    }

    /**
     * @param codes      one code per weight, output channel major
     * @param perChannel weights per output channel
     * @throws IllegalStateException when no float near a code's value maps back to it (a format bug)
     */
    static float[] of(int[] codes, NumberFormat format, int perChannel) {
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int channel = (i / perChannel) % format.channels();
            float value = format.dequantize(codes[i], channel);
            for (int tries = 0; format.quantize(value, channel) != codes[i]; tries++) {
                if (tries == 4) {
                    throw new IllegalStateException("no float maps to code " + codes[i] + " in " + format);
                }
                value = format.quantize(value, channel) > codes[i] ? Math.nextDown(value) : Math.nextUp(value);
            }
            out[i] = value;
        }
        return out;
    }
}
