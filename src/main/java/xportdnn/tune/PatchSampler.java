package xportdnn.tune;

import java.util.Random;
import xportdnn.model.ConvGeometry;

/**
 * Which output positions of a convolution one image contributes to tuning, and the input patch (the K values an
 * output position reads, K = input channels per group x kernel area, in the weights' order) of each. At most
 * {@code positions} per image, chosen with a seeded random offset and an even stride so that every part of the
 * image is represented; every position when the output has no more.
 */
final class PatchSampler {

    private final ConvGeometry geometry;
    private final int[] bottom; // C, H, W of one image
    private final int outH;
    private final int outW;
    private final int k;
    private final int positions;
    private final long seed;

    /** @param bottom the input blob's shape, batch first (2-D convolutions only) */
    PatchSampler(ConvGeometry geometry, int[] bottom, int positions, long seed) {
        if (geometry.kernel().length != 2 || bottom.length != 4) {
            throw new IllegalArgumentException("tuning handles 2-D convolutions of N x C x H x W inputs");
        }
        this.geometry = geometry;
        this.bottom = new int[] {bottom[1], bottom[2], bottom[3]};
        int[] top = geometry.outputShape(bottom, false);
        this.outH = top[2];
        this.outW = top[3];
        this.k = geometry.inChannels() / geometry.group() * geometry.kernel()[0] * geometry.kernel()[1];
        this.positions = positions;
        this.seed = seed;
    }

    int patchLength() {
        return k;
    }

    int groups() {
        return geometry.group();
    }

    /** Output positions per image (H x W of the output). */
    int outputPositions() {
        return outH * outW;
    }

    /** Positions taken per image. */
    int taken() {
        return Math.min(positions, outH * outW);
    }

    /** Values of one input image. */
    int imageSize() {
        return bottom[0] * bottom[1] * bottom[2];
    }

    /** The positions (y * W + x) taken of the image with index {@code image} in the image stream. */
    int[] chosen(int image) {
        int all = outH * outW;
        int take = taken();
        int[] chosen = new int[take];
        double stride = (double) all / take;
        double offset = take == all ? 0 : new Random(seed * 31 + image).nextDouble() * stride;
        for (int p = 0; p < take; p++) {
            chosen[p] = Math.min(all - 1, (int) (offset + p * stride));
        }
        return chosen;
    }

    /** Copies the K input values output position {@code position} of group {@code g} reads (0 over padding). */
    void patch(float[] input, int imageStart, int g, int position, double[] out, int at) {
        int cin = geometry.inChannels() / geometry.group();
        int kh = geometry.kernel()[0];
        int kw = geometry.kernel()[1];
        int oy = position / outW;
        int ox = position % outW;
        int h = bottom[1];
        int w = bottom[2];
        int i = at;
        for (int c = 0; c < cin; c++) {
            int plane = imageStart + (g * cin + c) * h * w;
            for (int ky = 0; ky < kh; ky++) {
                int y = oy * geometry.stride()[0] - geometry.pad()[0] + ky * geometry.dilation()[0];
                for (int kx = 0; kx < kw; kx++, i++) {
                    int xx = ox * geometry.stride()[1] - geometry.pad()[1] + kx * geometry.dilation()[1];
                    out[i] = y < 0 || y >= h || xx < 0 || xx >= w ? 0 : input[plane + y * w + xx];
                }
            }
        }
    }
}
