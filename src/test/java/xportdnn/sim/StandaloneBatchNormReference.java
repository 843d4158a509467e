package xportdnn.sim;

/**
 * CHaiDNN's BatchNorm/Scale op (OPCODE_BN) in DynamicFixed mode, written from its sources as plain loops over long
 * integers, wrapping and cutting with masks where the C types do: the host's constants (software/init/xi_init.cpp
 * at 2ac2f2f, convInit; xi_dnn_conv_utils.hpp at 271b3cc, load_mean_gamma_beta; the ConvertToFP macro and
 * Trim2FixedPoint) and the kernel's ReadNormData with norm flag set 3 (design/conv/src/xi_convolution.hpp at
 * 452a5fa). A reference for the tests, independent of the simulator's code.
 */
final class StandaloneBatchNormReference {

    /** Intermediate results the reference met, so a test can check its data reach the cases it means to test. */
    long negativeInputs;
    long savedAboveTop;
    long savedBelowBottom;

    /**
     * The output codes for input {@code codes} in NCHW order ({@code plane} values per channel), and the Caffe
     * blobs' true statistics.
     */
    int[] run(int[] codes, int channels, int plane, float[] mean, float[] variance, float eps, float[] gamma,
            float[] beta, int flIn, int gammaByStdFl, int betaFl, int flOut, int bw) {
        // host: the three 16-bit constant arrays
        long[] meanQ = new long[channels];
        long[] gammaQ = new long[channels];
        long[] betaQ = new long[channels];
        int meanFbits = flIn + 8;
        int gammaFbits = gammaByStdFl + 8;
        int betaFbits = betaFl + 8;
        for (int c = 0; c < channels; c++) {
            meanQ[c] = signed(convertToFp(mean[c], meanFbits), 16);
            float varianceVal = variance[c] + eps;
            varianceVal = (float) Math.sqrt(varianceVal); // sqrtf
            float gammaNew = gamma[c] / varianceVal;
            gammaQ[c] = trim16(gammaNew, gammaFbits);
            betaQ[c] = signed(convertToFp(beta[c], betaFbits), 16);
        }
        long normPrec = (flIn + gammaFbits + 8 - flOut) & 0x1F; // ap_uint<5>
        long normPrec3 = (flIn + 8 + gammaFbits - betaFbits) & 0x1F;
        long top = (1L << (bw - 1)) - 1;
        long bottom = -(1L << (bw - 1));
        int[] out = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int c = i / plane % channels;
            long word = (long) codes[i] << 8; // word.range(7, 0) * (1 << 8)
            long addSubOp2 = signed(-1 * meanQ[c], 16); // mean_val = -1 * mean
            long oneShifted = signed(1L << normPrec3, 32); // C int: 1 << 31 is INT_MIN
            long addSubOp3 = signed(betaQ[c] * oneShifted, 32);
            long mulAddRes = signed((word + addSubOp2) * gammaQ[c] + addSubOp3, 32);
            long in16bit = signed(mulAddRes >> normPrec, 16);
            long shiftRes;
            if (in16bit > top) {
                shiftRes = top;
                savedAboveTop++;
            } else if (in16bit < bottom) {
                shiftRes = bottom;
                savedBelowBottom++;
            } else {
                shiftRes = in16bit;
            }
            if (codes[i] < 0) {
                negativeInputs++;
            }
            out[i] = (int) (shiftRes < 0 ? 0 : shiftRes); // relu_en (flag set 3) and the sign bit
        }
        return out;
    }

    /** ConvertToFP(fVal, iPart, fbits) with iPart = (short) fVal: int part shifted plus float fraction, truncated. */
    private static long convertToFp(float fVal, int fbits) {
        short iPart = (short) fVal;
        int shiftedWhole = iPart << fbits;
        float fraction = (fVal - (float) iPart) * (float) (1 << fbits);
        float sum = shiftedWhole + fraction;
        return (long) (int) sum;
    }

    /** Trim2FixedPoint(&f, 16, fbits, ROUND_NEAREST): saturate in float, scale, C round (half away from zero). */
    private static long trim16(float f, int fbits) {
        double max = 32767 * Math.pow(2, -fbits);
        double min = -32768 * Math.pow(2, -fbits);
        double clamped = Math.max(Math.min(f, max), min);
        double scaled = clamped * Math.pow(2, fbits);
        double rounded = scaled < 0 ? -Math.floor(-scaled + 0.5) : Math.floor(scaled + 0.5);
        return (long) rounded;
    }

    /** {@code v} cut to its low {@code bits} bits, read as signed (a C cast to a narrower signed type). */
    private static long signed(long v, int bits) {
        long mask = (1L << bits) - 1;
        long low = v & mask;
        return low >= 1L << (bits - 1) ? low - (1L << bits) : low;
    }
}
