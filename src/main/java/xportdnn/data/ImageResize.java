package xportdnn.data;

/**
 * {@code caffe.io.resize_image(im, (H, W))} for 1- and 3-channel images, as the original (Python 2) XportDNN
 * ran it: scikit-image {@code transform.resize(order=1)} with the defaults of every skimage that supported
 * Python 2 (up to 0.14): bilinear interpolation with pixel-centre alignment (output pixel {@code o} samples
 * input coordinate {@code (o + 0.5) * in / out - 0.5}), {@code mode='constant', cval=0}, and no anti-aliasing.
 *
 * <p>What follows from that, and where it differs from other resizers:
 * <ul>
 * <li>caffe.io first maps the image to [0, 1] by its own min and max and maps the result back, so the
 * constant 0 that skimage reads outside the image is the image's <em>minimum</em>. It only matters when
 * enlarging: the outermost half pixel then blends toward the minimum (OpenCV and skimage >= 0.15 repeat or
 * mirror the border instead). When shrinking, every sample lies inside the image and the min/max round trip is
 * a no-op (bilinear weights are convex), so it is not carried out.</li>
 * <li>No Gaussian blur before shrinking: skimage >= 0.15 blurs by default (sigma = (factor - 1) / 2), the
 * original tool's skimage did not, and neither do Caffe's data layer (OpenCV INTER_LINEAR) nor the reference
 * outputs in this project.</li>
 * <li>No rounding: values are interpolated in double precision and stored as float32, unlike OpenCV's
 * resize of 8-bit images, which rounds to integers.</li>
 * </ul>
 */
public final class ImageResize {

    private ImageResize() {
    }

    public static FloatImage resize(FloatImage im, int height, int width) {
        if (im.height() == height && im.width() == width) {
            return im;
        }
        Axis rows = new Axis(im.height(), height);
        Axis cols = new Axis(im.width(), width);
        int ch = im.channels();
        float[] src = im.pixels();
        float outside = min(src);
        float[] out = new float[height * width * ch];
        for (int y = 0; y < height; y++) {
            double wy = rows.weight[y];
            for (int x = 0; x < width; x++) {
                double wx = cols.weight[x];
                int o = (y * width + x) * ch;
                for (int c = 0; c < ch; c++) {
                    double top = (1 - wx) * sample(im, rows.low[y], cols.low[x], c, outside)
                            + wx * sample(im, rows.low[y], cols.high[x], c, outside);
                    double bottom = (1 - wx) * sample(im, rows.high[y], cols.low[x], c, outside)
                            + wx * sample(im, rows.high[y], cols.high[x], c, outside);
                    out[o + c] = (float) ((1 - wy) * top + wy * bottom);
                }
            }
        }
        return new FloatImage(height, width, ch, out);
    }

    private static float sample(FloatImage im, int y, int x, int c, float outside) {
        return y < 0 || x < 0 || y >= im.height() || x >= im.width() ? outside : im.get(y, x, c);
    }

    private static float min(float[] values) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** For each output index along one axis: the two input neighbours (may lie outside) and the upper weight. */
    private static final class Axis {
        final int[] low;
        final int[] high;
        final double[] weight;

        Axis(int in, int out) {
            low = new int[out];
            high = new int[out];
            weight = new double[out];
            double scale = (double) in / out;
            for (int o = 0; o < out; o++) {
                double pos = (o + 0.5) * scale - 0.5;
                int i = (int) Math.floor(pos);
                low[o] = i;
                high[o] = i + 1;
                weight[o] = pos - i;
            }
        }
    }
}
