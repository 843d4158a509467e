package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import xportdnn.engine.CpuInfo;
import xportdnn.model.ConvGeometry;
import xportdnn.model.proto.Caffe.ConvolutionParameter;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.Requantizer;
import xportdnn.precision.ThresholdFormat;
import xportdnn.sim.ReferenceArithmetic.Geometry;

/**
 * Random convolutions (shapes, groups up to depthwise, stride, padding, dilation, weights with clipping and zero
 * channels, biases clipped or not, ReLU) in both modes at 6, 8 and 16 bits: the simulator's formats, requantizers
 * and integer convolution equal {@link ReferenceArithmetic}'s nested loops over long integers bit for bit. Besides
 * small layers: 1x1 convolutions (no im2col windows), batches of large planes (one matrix product per few images,
 * the last run shorter), layers whose sums exceed float32's exact range at 8 bits (the int8 product where it runs,
 * else the float64 fallback, which every 16-bit layer takes too), a fully connected layer of VGG-16's fc6 size, and KxK kernels whose padding keeps the width at unit strides (im2col's shifted-plane
 * copy), and depthwise layers of larger planes (the direct kernel, across threads; at 16 bits the matrix products),
 * MobileNet's 3x3 ones at strides 1 and 2 and ones whose planes the direct kernel cuts into chunks. Every layer runs
 * twice: with the int8 product allowed (oneDNN's, which 6- and 8-bit layers take where the CPU has VNNI; elsewhere
 * they take float32 as in the other run) and with it turned off.
 */
class IntegerConvolutionTest {

    private static final int CASES = 60;

    private static final int LARGER_CASES = 6;

    /** Which kind of random layer. */
    enum Kind {
        /** Small planes, any geometry, one or two images. */
        SMALL,
        /** A 1x1 kernel, unit stride, no padding, up to four images. */
        POINTWISE,
        /** Planes of 1,000 to 3,000 outputs and 3 to 5 images: a batch needs several matrix products. */
        LARGE_PLANES,
        /** (Input channels / group) x taps of 1,350 or more: at 8 bits the sums leave float32's exact range. */
        WIDE_SUMS,
        /**
         * A KxK kernel (1 to 7 per axis, dilation 1 or 2) with unit strides and the width kept by its padding, as
         * SqueezeNet's 3x3 convolutions: im2col copies each tap as one shifted plane; any height padding.
         */
        SAME_WIDTH,
        /**
         * A KxK kernel (1 to 7 per axis, any padding, dilation 1 or 2) with a column stride of 2 or 3 over planes of
         * 14 to 40 columns, as SqueezeNet's conv1: with the int8 product im2col splits the input's columns by phase.
         */
        STRIDED,
        /**
         * One input channel per group (2 to 40 groups, channel multiplier 1 or 2), a kernel of 1 to 5 per axis, stride
         * 1 or 2, any padding up to the kernel, dilation 1 or 2, planes 5 to 40 rows and columns beyond the kernel's
         * extent (odd and even sizes), 1 to 4 images: the direct depthwise kernel, its larger layers split across threads.
         */
        DEPTHWISE,
        /**
         * MobileNet's depthwise layers: 3x3, stride 1 or 2 per axis, padding 0, 1 or 2 per axis, dilation 1 or 2,
         * otherwise as {@link #DEPTHWISE} (small planes go through the direct kernel several at a time).
         */
        DEPTHWISE_3X3,
        /**
         * A depthwise layer of 2 to 6 channels over planes of 60 to 130 rows and columns (a kernel of 1 to 5 per
         * axis, stride 1 or 2, any padding up to the kernel, dilation 1 or 2), 1 or 2 images: the direct kernel
         * cuts each plane's output rows into several chunks, the last one shorter.
         */
        DEPTHWISE_LARGE
    }

    static Stream<Arguments> cases() {
        return Stream.of(6, 8, 16).flatMap(bw -> Stream.of(true, false).flatMap(xilinx -> Stream.of(true, false)
                .flatMap(int8 -> java.util.stream.IntStream.range(0, CASES).mapToObj(i -> Arguments.of(xilinx, bw,
                        1000L * bw + i, Kind.SMALL, int8)))));
    }

    static Stream<Arguments> largerCases() {
        return Stream.of(Kind.POINTWISE, Kind.LARGE_PLANES, Kind.WIDE_SUMS, Kind.SAME_WIDTH, Kind.STRIDED, Kind.DEPTHWISE,
                Kind.DEPTHWISE_3X3, Kind.DEPTHWISE_LARGE)
                .flatMap(kind -> Stream.of(6, 8, 16).flatMap(bw -> Stream.of(true, false).flatMap(xilinx ->
                        Stream.of(true, false).flatMap(int8 -> java.util.stream.IntStream.range(0, LARGER_CASES)
                                .mapToObj(i -> Arguments.of(xilinx, bw, 100_000L * (kind.ordinal() + 1) + 1000L * bw + i,
                                        kind, int8))))));
    }

    /** One random convolution layer. */
    private record Case(int n, int c, int h, int w, int out, Geometry g, float[] weights, float[] bias, boolean relu,
            boolean int8, boolean byteInput) {

        static Case random(Random r, Kind kind, boolean int8) {
            int group = switch (r.nextInt(3)) {
                case 0 -> 1;
                case 1 -> 2;
                default -> 0; // depthwise
            };
            if (kind == Kind.WIDE_SUMS) {
                group = 1 + r.nextInt(2);
            }
            boolean depthwise = kind == Kind.DEPTHWISE || kind == Kind.DEPTHWISE_3X3 || kind == Kind.DEPTHWISE_LARGE;
            if (depthwise) {
                group = 0;
            }
            int inPerGroup = group == 0 ? 1 : kind == Kind.WIDE_SUMS ? 150 + r.nextInt(40) : 1 + r.nextInt(5);
            int groups = group == 0 ? kind == Kind.DEPTHWISE_LARGE ? 2 + r.nextInt(5)
                    : depthwise ? 2 + r.nextInt(39) : 1 + r.nextInt(6) : group;
            int c = inPerGroup * groups;
            int out = groups * (group == 0 ? 1 + r.nextInt(2) : 1 + r.nextInt(5));
            boolean pointwise = kind == Kind.POINTWISE;
            int kh = pointwise ? 1 : kind == Kind.WIDE_SUMS ? 3 : 1 + r.nextInt(4);
            int kw = pointwise ? 1 : kind == Kind.WIDE_SUMS ? 3 : 1 + r.nextInt(4);
            Geometry g = pointwise ? new Geometry(groups, 1, 1, 1, 1, 0, 0, 1 + r.nextInt(2), 1 + r.nextInt(2))
                    : new Geometry(groups, kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(3), r.nextInt(3),
                            1 + r.nextInt(2), 1 + r.nextInt(2));
            if (kind == Kind.LARGE_PLANES) { // unit stride so that the output plane stays large
                g = new Geometry(g.group(), kh, kw, 1, 1, g.padH(), g.padW(), g.dilationH(), g.dilationW());
            }
            if (kind == Kind.SAME_WIDTH) {
                kh = 1 + r.nextInt(7);
                kw = 1 + 2 * r.nextInt(4);
                int dw = 1 + r.nextInt(2);
                g = new Geometry(g.group(), kh, kw, 1, 1, r.nextInt(kh), dw * (kw - 1) / 2, 1 + r.nextInt(2), dw);
            }
            if (kind == Kind.DEPTHWISE || kind == Kind.DEPTHWISE_LARGE) {
                kh = 1 + r.nextInt(5);
                kw = 1 + r.nextInt(5);
                g = new Geometry(g.group(), kh, kw, 1 + r.nextInt(2), 1 + r.nextInt(2), r.nextInt(kh + 1),
                        r.nextInt(kw + 1), g.dilationH(), g.dilationW());
            }
            if (kind == Kind.DEPTHWISE_3X3) {
                kh = 3;
                kw = 3;
                g = new Geometry(g.group(), kh, kw, 1 + r.nextInt(2), 1 + r.nextInt(2), r.nextInt(3), r.nextInt(3),
                        g.dilationH(), g.dilationW());
            }
            if (kind == Kind.STRIDED) {
                kh = 1 + r.nextInt(7);
                kw = 1 + r.nextInt(7);
                g = new Geometry(g.group(), kh, kw, 1 + r.nextInt(3), 2 + r.nextInt(2), r.nextInt(kh), r.nextInt(kw),
                        g.dilationH(), g.dilationW());
            }
            int h = (g.dilationH() * (kh - 1) + 1) + extraSize(r, kind);
            int w = (g.dilationW() * (kw - 1) + 1) + extraSize(r, kind);
            float[] weights = new float[out * inPerGroup * kh * kw];
            float scale = (float) Math.exp(r.nextGaussian());
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (float) r.nextGaussian() * scale;
            }
            float[] bias = new float[out];
            for (int i = 0; i < out; i++) {
                bias[i] = (float) r.nextGaussian() * 4 * scale;
            }
            int n = switch (kind) {
                case SMALL, WIDE_SUMS, DEPTHWISE_LARGE -> 1 + r.nextInt(2);
                case POINTWISE, SAME_WIDTH, STRIDED, DEPTHWISE, DEPTHWISE_3X3 -> 1 + r.nextInt(4);
                case LARGE_PLANES -> 3 + r.nextInt(3);
            };
            return new Case(n, c, h, w, out, g, weights, bias, r.nextBoolean(), int8, r.nextBoolean());
        }

        /** Rows or columns beyond the dilated kernel's extent. */
        private static int extraSize(Random r, Kind kind) {
            return switch (kind) {
                case LARGE_PLANES -> 32 + r.nextInt(24);
                case STRIDED -> 14 + r.nextInt(20);
                case DEPTHWISE, DEPTHWISE_3X3 -> 5 + r.nextInt(36);
                case DEPTHWISE_LARGE -> 60 + r.nextInt(71);
                default -> r.nextInt(9);
            };
        }

        int perChannel() {
            return weights.length / out;
        }

        ConvGeometry geometry() {
            ConvolutionParameter p = ConvolutionParameter.newBuilder().setNumOutput(out).setGroup(g.group())
                    .setKernelH(g.kernelH()).setKernelW(g.kernelW()).setStrideH(g.strideH()).setStrideW(g.strideW())
                    .setPadH(g.padH()).setPadW(g.padW()).addDilation(g.dilationH()).addDilation(g.dilationW()).build();
            return ConvGeometry.of(LayerParameter.newBuilder().setName("conv").setConvolutionParam(p).build(), shape());
        }

        int[] shape() {
            return new int[] {n, c, h, w};
        }

        int[] randomCodes(Random r, int bw) {
            int[] x = new int[n * c * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(1 << bw) - (1 << (bw - 1)); // the full code range, -2^(bw-1) included
            }
            return x;
        }

        /** One input channel per group of several: the direct kernel's where float32 holds its sums. */
        boolean depthwise() {
            return g.group() > 1 && g.group() == c;
        }

        /**
         * The simulator's codes; checks that the product runs in int8 where allowed and this CPU has VNNI and the
         * codes fit (its int32 sums are exact past 2^24 too; a depthwise layer whose sums stay within 2^24 in float32,
         * the direct kernel's), else in float64 where float32 could not hold the sums, and that codes of at most 8 bits come out as bytes. Input codes of at most 8 bits go in as bytes or as ints ({@link #byteInput}).
         */
        int[] run(int[] x, NumberFormat in, NumberFormat weightFormat, NumberFormat outFormat) {
            Requantizer rq = outFormat.fromProducts(in, weightFormat, bias);
            int[] weightCodes = weightFormat.quantize(weights, perChannel());
            boolean vnni = Int8Products.choose(CpuInfo.read().flags(), "auto");
            IntConvolution conv = new IntConvolution(geometry(), shape(), weightCodes, relu ? rq.withRelu() : rq,
                    in, int8 && vnni, "conv");
            // float32 holds every integer up to 2^24: beyond, the product must run in float64
            int maxWeight = java.util.Arrays.stream(weightCodes).map(Math::abs).max().orElse(0);
            double largestSum = (double) perChannel() * (1 << (in.bitwidth() - 1)) * maxWeight;
            boolean int8Codes = in.bitwidth() <= 8 && java.util.Arrays.stream(weightCodes).allMatch(v -> v == (byte) v);
            boolean wide = largestSum > 0x1p24; // the direct depthwise kernel sums within 2^24 only
            assertEquals(int8 && vnni && int8Codes && (wide || !depthwise()) ? DataType.INT
                    : wide ? DataType.DOUBLE : DataType.FLOAT, conv.accumulatorType(), "sums up to " + largestSum);
            Codes input = byteInput ? Codes.narrowest(x, in.minCode(), in.maxCode()) : Codes.of(x);
            Codes out = conv.forward(input, n);
            assertEquals(outFormat.bitwidth() <= 8, out.bytes(), "output storage");
            return out.toInts();
        }
    }

    @ParameterizedTest(name = "xilinx={0} bw={1} seed={2} {3} int8={4}")
    @MethodSource("cases")
    void equalsTheReference(boolean xilinx, int bw, long seed, Kind kind, boolean int8) {
        Random r = new Random(seed);
        Case k = Case.random(r, kind, int8);
        int bwIn = bw;
        int bwW = r.nextBoolean() ? bw : (bw == 8 ? 6 : bw);
        int bwOut = bw;
        int[] x = k.randomCodes(r, bwIn);
        Outcome o = xilinx ? xilinx(k, x, r, bwIn, bwW, bwOut) : fixed(k, x, r, bwIn, bwW, bwOut);
        assertArrayEquals(o.expected(), o.actual(), () -> k + " bw " + bwIn + "/" + bwW + "/" + bwOut);
    }

    @ParameterizedTest(name = "xilinx={0} bw={1} seed={2} {3} int8={4}")
    @MethodSource("largerCases")
    void largerLayersEqualTheReference(boolean xilinx, int bw, long seed, Kind kind, boolean int8) {
        equalsTheReference(xilinx, bw, seed, kind, int8);
    }

    /** The reference's codes and the simulator's for the same layer. */
    private record Outcome(int[] expected, int[] actual) {
    }

    /** Per-channel weight thresholds as the exporter makes them (max |w|), some shrunk to clip, one sometimes 0. */
    private static Outcome xilinx(Case k, int[] x, Random r, int bwIn, int bwW, int bwOut) {
        float[] thW = new float[k.out()];
        for (int o = 0; o < k.out(); o++) {
            for (int i = 0; i < k.perChannel(); i++) {
                thW[o] = Math.max(thW[o], Math.abs(k.weights()[o * k.perChannel() + i]));
            }
            thW[o] *= r.nextInt(4) == 0 ? 0.6f : 1f;
        }
        if (r.nextInt(5) == 0) {
            thW[r.nextInt(k.out())] = 0;
        }
        float thIn = (float) Math.exp(r.nextGaussian() * 2);
        float thOut = (float) Math.exp(r.nextGaussian() * 2 + 2);
        int[] actual = k.run(x, new ThresholdFormat(bwIn, thIn), new ThresholdFormat(bwW, thW),
                new ThresholdFormat(bwOut, thOut));

        int[] wq = new int[k.weights().length];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = ReferenceArithmetic.xilinxCode(k.weights()[i], thW[i / k.perChannel()], bwW);
        }
        long[] acc = ReferenceArithmetic.accumulate(x, k.n(), k.c(), k.h(), k.w(), wq, k.out(), k.g());
        float sfIn = ReferenceArithmetic.xilinxScale(thIn, bwIn);
        int plane = acc.length / k.n() / k.out();
        int[] expected = new int[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int o = (i / plane) % k.out();
            expected[i] = ReferenceArithmetic.xilinxOutput(acc[i], ReferenceArithmetic.xilinxScale(thW[o], bwW), sfIn,
                    thOut, bwOut, k.bias()[o], k.relu());
        }
        return new Outcome(expected, actual);
    }

    /** Fractional lengths around the values' ranges, the output's such that the shift goes either way. */
    private static Outcome fixed(Case k, int[] x, Random r, int bwIn, int bwW, int bwOut) {
        int flIn = r.nextInt(bwIn + 2) - 2;
        float maxW = 0;
        for (float v : k.weights()) {
            maxW = Math.max(maxW, Math.abs(v));
        }
        int flW = bwW - 1 - Math.getExponent(maxW) - r.nextInt(2);
        int flOut = flIn + flW - (r.nextInt(14) - 2);
        int[] actual = k.run(x, new FixedPointFormat(bwIn, flIn), new FixedPointFormat(bwW, flW),
                new FixedPointFormat(bwOut, flOut));

        int[] wq = new int[k.weights().length];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = ReferenceArithmetic.fixedCode(k.weights()[i], bwW, flW);
        }
        long[] acc = ReferenceArithmetic.accumulate(x, k.n(), k.c(), k.h(), k.w(), wq, k.out(), k.g());
        int plane = acc.length / k.n() / k.out();
        int[] expected = new int[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int o = (i / plane) % k.out();
            expected[i] = ReferenceArithmetic.fixedOutput(acc[i], flIn, flW, bwOut, flOut, k.bias()[o], k.relu());
        }
        return new Outcome(expected, actual);
    }

    /**
     * VGG-16's fc6 as compare simulates it (a 7x7 convolution over 512 channels, one output pixel: K = 25,088) at 8
     * bits, inputs and weights near the ends of their range so that sums pass 3e8 (of at most 25,088 x 128 x 128 =
     * 4.1e8), far past float32's exact 2^24: the int8 product (exact in int32) and the float64 one both give the codes of the
     * long-integer sums moved by {@link Requantizer#apply(long, int)}.
     */
    @Test
    void innerProductSizedSumsPastFloat32() {
        assumeTrue(Int8Products.choose(CpuInfo.read().flags(), "auto"), "the int8 product needs VNNI on this CPU");
        int c = 512;
        int side = 7;
        int k = c * side * side;
        int out = 12;
        int n = 2;
        Random r = new Random(5);
        int[] x = new int[n * k];
        for (int i = 0; i < x.length; i++) { // one image nearly all -128, the other of random codes
            x[i] = i < k ? (r.nextInt(20) == 0 ? 127 : -128) : r.nextInt(256) - 128;
        }
        int[] w = new int[out * k];
        long[] multiplier = new long[out];
        long[] offset = new long[out];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < k; j++) { // channel o's weights share the first image's sign in a share that grows with o
                w[o * k + j] = r.nextInt(out) <= o ? -128 : r.nextInt(256) - 128;
            }
            multiplier[o] = 1 + r.nextInt(3);
            offset[o] = r.nextInt(1 << 22) - (1 << 21);
        }
        Requantizer rq = new Requantizer(multiplier, offset, 23, -128, 127);
        long[] expectedSums = new long[n * out];
        int[] expected = new int[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                long sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += (long) x[i * k + j] * w[o * k + j];
                }
                expectedSums[i * out + o] = sum;
                expected[i * out + o] = rq.apply(sum, o);
            }
        }
        assertTrue(java.util.Arrays.stream(expectedSums).anyMatch(v -> Math.abs(v) > 300_000_000L), "sums past 3e8");
        ConvolutionParameter p = ConvolutionParameter.newBuilder().setNumOutput(out).setKernelH(side).setKernelW(side)
                .build();
        int[] shape = {n, c, side, side};
        ConvGeometry geometry = ConvGeometry.of(LayerParameter.newBuilder().setName("fc6").setConvolutionParam(p)
                .build(), shape);
        NumberFormat in = new ThresholdFormat(8, 1f);
        for (boolean int8 : new boolean[] {true, false}) {
            IntConvolution conv = new IntConvolution(geometry, shape, w, rq, in, int8, "fc6");
            assertEquals(int8 ? DataType.INT : DataType.DOUBLE, conv.accumulatorType());
            assertArrayEquals(expected, conv.forward(Codes.of(x), n).toInts(), "int8 " + int8);
        }
    }
}
