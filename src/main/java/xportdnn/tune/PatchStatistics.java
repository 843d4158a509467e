package xportdnn.tune;

import xportdnn.model.ConvGeometry;

/**
 * What tuning keeps of one convolution's inputs over the calibration images: per group, the second moments of its
 * input patches (the K values one output position reads, K = input channels per group x kernel area) as the float
 * net sees them (x) and as the device sees them (x~, quantized), and their sums. Three K x K matrices and two
 * vectors per group, whatever the number of images, instead of the activations themselves. Each image contributes
 * at most {@code positions} output positions, chosen with a seeded random offset and an even stride so that every
 * part of the image is represented. Statistics of two shards merge exactly ({@link #merge}).
 */
final class PatchStatistics {

    private final PatchSampler sampler;
    private final int k;
    private final double[][] quantizedGram; // per group, sum x~ x~' (K x K, row-major)
    private final double[][] crossGram;     // per group, sum x~ x'
    private final double[][] floatGram;     // per group, sum x x'
    private final double[][] quantizedSum;  // per group, sum x~
    private final double[][] floatSum;      // per group, sum x
    private long patches;                   // per group
    private int images;

    /**
     * @param bottom    the input blob's shape, batch first (2-D convolutions only)
     * @param positions the most output positions one image contributes
     */
    PatchStatistics(ConvGeometry geometry, int[] bottom, int positions, long seed) {
        this.sampler = new PatchSampler(geometry, bottom, positions, seed);
        this.k = sampler.patchLength();
        int groups = geometry.group();
        quantizedGram = new double[groups][k * k];
        crossGram = new double[groups][k * k];
        floatGram = new double[groups][k * k];
        quantizedSum = new double[groups][k];
        floatSum = new double[groups][k];
    }

    int patchLength() {
        return k;
    }

    int groups() {
        return sampler.groups();
    }

    long patches() {
        return patches;
    }

    /**
     * Adds a batch: the input as the float net computes it and as the device holds it (dequantized), both
     * {@code n x C x H x W} in C order. The batch's patches of a group go into one product per moment: with a
     * kernel of 3 x 3 x 512 (K = 4608) a product per image cost more in copying its K x K result than in computing it.
     */
    void add(float[] floatInput, float[] quantizedInput, int n) {
        int perImage = sampler.imageSize();
        int take = sampler.taken();
        int[][] chosen = new int[n][];
        for (int image = 0; image < n; image++) {
            chosen[image] = sampler.chosen(images + image);
        }
        int rows = n * take;
        for (int g = 0; g < sampler.groups(); g++) {
            double[] xq = new double[rows * k];
            double[] x = new double[rows * k];
            for (int image = 0; image < n; image++) {
                for (int p = 0; p < take; p++) {
                    int row = image * take + p;
                    sampler.patch(quantizedInput, image * perImage, g, chosen[image][p], xq, row * k);
                    sampler.patch(floatInput, image * perImage, g, chosen[image][p], x, row * k);
                }
            }
            accumulate(g, xq, x, rows);
        }
        images += n;
        patches += (long) n * take;
    }

    private void accumulate(int g, double[] xq, double[] x, int rows) {
        addAll(quantizedGram[g], DoubleProducts.transposedTimes(xq, xq, rows, k, k));
        addAll(crossGram[g], DoubleProducts.transposedTimes(xq, x, rows, k, k));
        addAll(floatGram[g], DoubleProducts.transposedTimes(x, x, rows, k, k));
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                quantizedSum[g][j] += xq[r * k + j];
                floatSum[g][j] += x[r * k + j];
            }
        }
    }

    /** Adds another shard's statistics of the same layer (sums, so the merge is exact up to float addition). */
    void merge(PatchStatistics other) {
        for (int g = 0; g < sampler.groups(); g++) {
            addAll(quantizedGram[g], other.quantizedGram[g]);
            addAll(crossGram[g], other.crossGram[g]);
            addAll(floatGram[g], other.floatGram[g]);
            addAll(quantizedSum[g], other.quantizedSum[g]);
            addAll(floatSum[g], other.floatSum[g]);
        }
        patches += other.patches;
        images += other.images;
    }

    private static void addAll(double[] into, double[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    /** The moments of group {@code g} as means over the patches seen. */
    Moments moments(int g) {
        if (patches == 0) {
            throw new IllegalStateException("no patch seen");
        }
        double n = patches;
        return new Moments(scaled(quantizedGram[g], n), scaled(crossGram[g], n), scaled(floatGram[g], n),
                scaled(quantizedSum[g], n), scaled(floatSum[g], n));
    }

    private static double[] scaled(double[] v, double n) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }

    /**
     * Means over the patches: {@code qq = E[x~ x~']}, {@code qx = E[x~ x']}, {@code xx = E[x x']} (K x K,
     * row-major), {@code q = E[x~]}, {@code x = E[x]}.
     */
    record Moments(double[] qq, double[] qx, double[] xx, double[] q, double[] x) {

        /**
         * The moments with the device's input x~ in place of the float input x ({@link TuningTarget#DEVICE_INPUT}):
         * E[x~ x'] and E[x x'] become E[x~ x~'], E[x] becomes E[x~].
         */
        Moments onDeviceInput() {
            return new Moments(qq, qq, qq, q, q);
        }
    }
}
