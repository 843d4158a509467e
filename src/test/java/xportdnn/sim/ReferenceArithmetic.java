package xportdnn.sim;

/**
 * The device arithmetic of spec/chaidnn-precision.md section 2 and the runtime's conventions, written as plainly
 * as possible (nested loops, long integers, one formula per line): the reference the simulator must equal bit for
 * bit. Deliberately shares no code with the simulator.
 */
final class ReferenceArithmetic {

    private ReferenceArithmetic() {
    }

    /** Convolution geometry in the order Caffe lists it. */
    record Geometry(int group, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH,
            int dilationW) {

        int outH(int h) {
            return (h + 2 * padH - (dilationH * (kernelH - 1) + 1)) / strideH + 1;
        }

        int outW(int w) {
            return (w + 2 * padW - (dilationW * (kernelW - 1) + 1)) / strideW + 1;
        }
    }

    /** C's round(): half away from zero. Exact for float arguments (|v| + 0.5 is exact in double). */
    static long round(float v) {
        long r = (long) Math.floor(Math.abs((double) v) + 0.5);
        return v < 0 ? -r : r;
    }

    static long clamp(long v, int bw) {
        long max = (1L << (bw - 1)) - 1;
        long min = -(1L << (bw - 1));
        return Math.max(min, Math.min(max, v));
    }

    /** v / 2^s rounded half away from zero: (|v| + 2^(s-1)) >> s with the sign put back, as the device's round_fun. */
    static long shiftRound(long v, int s) {
        if (s == 0) {
            return v;
        }
        long magnitude = (Math.abs(v) + (1L << (s - 1))) >> s;
        return v < 0 ? -magnitude : magnitude;
    }

    // ---- Xilinx (threshold) mode

    /** sf = th / (2^(bw-1) - 1), as the runtime's float computed from a double division. */
    static float xilinxScale(float th, int bw) {
        return (float) (th / (Math.pow(2, bw - 1) - 1));
    }

    /** q = round(clamp(x, -th, th) / sf); 0 when th is 0 (the runtime skips the division). */
    static int xilinxCode(float x, float th, int bw) {
        if (th == 0) {
            return 0;
        }
        float clipped = Math.max(-th, Math.min(th, x));
        return (int) round(clipped / xilinxScale(th, bw));
    }

    /**
     * Output code of one accumulator: M = round(sf_w * sf_in / sf_out * 2^22); bias = round(clip(b) / sf_out) in
     * 8.8, widened by 14 bits; (acc * M + bias) >> 22 with rounding; saturated; ReLU.
     */
    static int xilinxOutput(long acc, float sfW, float sfIn, float thOut, int bwOut, float bias, boolean relu) {
        float sfOut = xilinxScale(thOut, bwOut);
        long m = round(sfW * sfIn / sfOut * 4194304f);
        long bias88 = round(Math.max(-thOut, Math.min(thOut, bias)) / sfOut) * 256;
        long v = acc * m + bias88 * (1L << 14);
        long out = clamp(shiftRound(v, 22), bwOut);
        return (int) (relu ? Math.max(out, 0) : out);
    }

    // ---- DynamicFixed mode

    static int fixedCode(float x, int bw, int fl) {
        return (int) clamp(round((float) Math.scalb((double) x, fl)), bw);
    }

    /**
     * Output code of one accumulator with fl_in + fl_w fractional bits: the bias trimmed to the output format and
     * written with the accumulator's fractional bits, the sum shifted by s = fl_in + fl_w - fl_out with rounding,
     * saturated, ReLU. For s < 0 the exact value acc * 2^-s + bias code.
     */
    static int fixedOutput(long acc, int flIn, int flW, int bwOut, int flOut, float bias, boolean relu) {
        int s = flIn + flW - flOut;
        long b = fixedCode(bias, bwOut, flOut);
        long v = s >= 0 ? shiftRound(acc + b * (1L << s), s) : acc * (1L << -s) + b;
        long out = clamp(v, bwOut);
        return (int) (relu ? Math.max(out, 0) : out);
    }

    // ---- the multiply-accumulate

    /**
     * Accumulators of a convolution, [n][out][oh][ow] flattened: the sum over the group's input channels and the
     * kernel taps of input code x weight code, zero outside the input.
     */
    static long[] accumulate(int[] x, int n, int c, int h, int w, int[] weights, int out, Geometry g) {
        int oh = g.outH(h);
        int ow = g.outW(w);
        int inPerGroup = c / g.group();
        int outPerGroup = out / g.group();
        long[] acc = new long[n * out * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                int group = o / outPerGroup;
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        long sum = 0;
                        for (int i = 0; i < inPerGroup; i++) {
                            int channel = group * inPerGroup + i;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int row = y * g.strideH() - g.padH() + ky * g.dilationH();
                                    int col = z * g.strideW() - g.padW() + kx * g.dilationW();
                                    if (row < 0 || row >= h || col < 0 || col >= w) {
                                        continue;
                                    }
                                    long xv = x[((b * c + channel) * h + row) * w + col];
                                    long wv = weights[((o * inPerGroup + i) * g.kernelH() + ky) * g.kernelW() + kx];
                                    sum += xv * wv;
                                }
                            }
                        }
                        acc[((b * out + o) * oh + y) * ow + z] = sum;
                    }
                }
            }
        }
        return acc;
    }
}
