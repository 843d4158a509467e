package xportdnn.data;

/**
 * {@code caffe.io.Transformer.preprocess} with the original tool's knobs: resize to H x W (only if the size
 * differs, see {@link ImageResize}) -> transpose -> channel swap -> x raw_scale -> - mean -> x input_scale, in
 * float32 like the NumPy original. Writes one C x H x W image straight into a batch buffer.
 */
public final class Transformer {

    private final Preprocessing settings;
    private final float[] mean;

    public Transformer(Preprocessing settings) {
        this.settings = settings;
        this.mean = settings.meanPerElement();
    }

    public Preprocessing settings() {
        return settings;
    }

    /** Values one preprocessed image takes: C x H x W. */
    public int size() {
        int[] d = settings.dims();
        return d[0] * d[1] * d[2];
    }

    /**
     * Loads the entry grey or in colour as the input needs, and preprocesses it into {@code batch}; returns the
     * decoded image (for a statistic of the pictures themselves, without decoding them again).
     */
    public FloatImage preprocess(ImageSet.Entry entry, float[] batch, int offset) {
        FloatImage image = entry.load(settings.color());
        preprocess(image, batch, offset);
        return image;
    }

    /**
     * Preprocesses a loaded image (H' x W' x C, [0, 1]) into {@code batch[offset .. offset + size())} as
     * C x H x W float32.
     */
    public void preprocess(FloatImage image, float[] batch, int offset) {
        int[] dims = settings.dims();
        if (image.channels() != dims[0]) {
            throw new IllegalArgumentException(image.channels() + "-channel image for a " + dims[0] + "-channel input");
        }
        if (offset < 0 || offset + size() > batch.length) {
            throw new IllegalArgumentException("offset " + offset + " + " + size() + " outside a batch of " + batch.length);
        }
        FloatImage img = ImageResize.resize(image, dims[1], dims[2]);
        float[] px = img.pixels();
        // strides of the image's axes (h, w, c) in its interleaved array, taken in transposed order
        int[] imageStride = {img.width() * img.channels(), img.channels(), 1};
        int[] t = settings.transpose();
        int s0 = imageStride[t[0]];
        int s1 = imageStride[t[1]];
        int s2 = imageStride[t[2]];
        int[] swap = settings.channelSwap();
        float raw = settings.rawScale();
        float scale = settings.inputScale();
        int o = 0;
        for (int c = 0; c < dims[0]; c++) {
            int base = swap[c] * s0;
            for (int a = 0; a < dims[1]; a++) {
                for (int b = 0; b < dims[2]; b++, o++) {
                    float v = px[base + a * s1 + b * s2] * raw;
                    if (mean != null) {
                        v -= mean[o];
                    }
                    batch[offset + o] = v * scale;
                }
            }
        }
    }
}
