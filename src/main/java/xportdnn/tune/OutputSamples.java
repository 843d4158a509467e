package xportdnn.tune;

import java.util.ArrayList;
import java.util.List;

/**
 * What choosing a convolution's output format needs of the calibration images: at the sampled output positions
 * ({@link PatchSampler}), the input codes of the patch the device reads and the float net's output of every
 * channel (after a fused ReLU). The device's accumulator at a position does not depend on the output format, so
 * every candidate format is scored from these by the device's requantization alone, without another pass.
 */
final class OutputSamples {

    private final PatchSampler sampler;
    private final float[] weights; // float weights, output channel major (C x K)
    private final float[] bias;
    private final boolean relu;
    private final int channels;
    private final List<float[]> inputCodes = new ArrayList<>(); // per image and group: taken x K codes
    private final List<float[]> targets = new ArrayList<>();    // per image: taken x C float outputs
    private int images;

    /**
     * @param weights the float weights (C x K, output channel major)
     * @param bias    the float bias (C)
     * @param relu    whether a ReLU is fused into the convolution's output
     */
    OutputSamples(PatchSampler sampler, float[] weights, float[] bias, boolean relu) {
        this.sampler = sampler;
        this.weights = weights;
        this.bias = bias;
        this.relu = relu;
        this.channels = bias.length;
    }

    int channels() {
        return channels;
    }

    int images() {
        return images;
    }

    /** Positions kept per image. */
    int positions() {
        return sampler.taken();
    }

    /** Whether every output position of an image is kept (a global pooling of the output can be computed). */
    boolean complete() {
        return sampler.taken() == sampler.outputPositions();
    }

    /**
     * Adds a batch: the input as the float net computes it, and the input codes the device reads, both
     * {@code n x C x H x W} in C order.
     */
    void add(float[] floatInput, int[] inputCodes, int n) {
        float[] codes = new float[inputCodes.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = inputCodes[i];
        }
        int k = sampler.patchLength();
        int take = sampler.taken();
        int groups = sampler.groups();
        int perGroup = channels / groups;
        for (int image = 0; image < n; image++) {
            int[] chosen = sampler.chosen(images + image);
            float[] target = new float[take * channels];
            for (int g = 0; g < groups; g++) {
                double[] q = new double[take * k];
                double[] x = new double[take * k];
                for (int p = 0; p < take; p++) {
                    sampler.patch(codes, image * sampler.imageSize(), g, chosen[p], q, p * k);
                    sampler.patch(floatInput, image * sampler.imageSize(), g, chosen[p], x, p * k);
                }
                float[] stored = new float[q.length];
                for (int i = 0; i < q.length; i++) {
                    stored[i] = (float) q[i];
                }
                this.inputCodes.add(stored);
                double[] y = product(x, take, k, weights, g * perGroup, perGroup);
                for (int p = 0; p < take; p++) {
                    for (int c = 0; c < perGroup; c++) {
                        double v = y[p * perGroup + c] + bias[g * perGroup + c];
                        target[p * channels + g * perGroup + c] = (float) (relu ? Math.max(0, v) : v);
                    }
                }
            }
            targets.add(target);
        }
        images += n;
    }

    /** The float output of image {@code image}, positions x channels. */
    float[] target(int image) {
        return targets.get(image);
    }

    /**
     * The device's accumulators (sum of input code x weight code) of image {@code image}, positions x channels,
     * for the weight codes {@code codes} (C x K, output channel major).
     */
    double[] accumulators(int image, int[] codes) {
        int k = sampler.patchLength();
        int take = sampler.taken();
        int groups = sampler.groups();
        int perGroup = channels / groups;
        double[] acc = new double[take * channels];
        for (int g = 0; g < groups; g++) {
            float[] q = this.inputCodes.get(image * groups + g);
            double[] patches = new double[q.length];
            for (int i = 0; i < q.length; i++) {
                patches[i] = q[i];
            }
            double[] y = product(patches, take, k, codes, g * perGroup, perGroup);
            for (int p = 0; p < take; p++) {
                System.arraycopy(y, p * perGroup, acc, p * channels + g * perGroup, perGroup);
            }
        }
        return acc;
    }

    /** rows x K patches times channels first..first+count of {@code w} (C x K): rows x count, in double. */
    private static double[] product(double[] patches, int rows, int k, float[] w, int first, int count) {
        double[] wt = new double[count * k];
        for (int i = 0; i < wt.length; i++) {
            wt[i] = w[first * k + i];
        }
        return multiply(patches, rows, k, wt, count);
    }

    private static double[] product(double[] patches, int rows, int k, int[] w, int first, int count) {
        double[] wt = new double[count * k];
        for (int i = 0; i < wt.length; i++) {
            wt[i] = w[first * k + i];
        }
        return multiply(patches, rows, k, wt, count);
    }

    private static double[] multiply(double[] patches, int rows, int k, double[] weightRows, int count) {
        return DoubleProducts.timesTransposed(patches, rows, k, weightRows, count);
    }
}
