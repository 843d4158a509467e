package xportdnn.data;

/**
 * A decoded image as {@code caffe.io.load_image} returns it: H x W x C float32 values, interleaved (pixel by
 * pixel, channels R,G,B or one grey channel), normally in [0, 1].
 *
 * @param pixels      {@code pixels[(y * width + x) * channels + c]}; shared, not copied
 * @param orientation the EXIF orientation tag of the file it was decoded from (1 to 8; 1 for none), which the
 *                    pixels do not follow: they are as stored (see {@link ImageDecoder})
 */
public record FloatImage(int height, int width, int channels, float[] pixels, int orientation) {

    /** An image whose pixels are upright (no orientation tag). */
    public FloatImage(int height, int width, int channels, float[] pixels) {
        this(height, width, channels, pixels, ExifOrientation.UPRIGHT);
    }

    /** Whether its file asks a viewer to turn or flip it (an orientation other than 1), which xportdnn does not. */
    public boolean turned() {
        return orientation != ExifOrientation.UPRIGHT;
    }

    public FloatImage {
        if (height <= 0 || width <= 0 || channels <= 0 || (long) height * width * channels != pixels.length) {
            throw new IllegalArgumentException(
                    height + "x" + width + "x" + channels + " image with " + pixels.length + " values");
        }
    }

    public float get(int y, int x, int c) {
        return pixels[(y * width + x) * channels + c];
    }

    /**
     * Whether the picture is grey: one channel, or channels that differ nowhere by more than {@code tolerance} (a
     * grey picture saved in colour; JPEG's chroma rounding leaves a code or two).
     */
    public boolean grey(float tolerance) {
        for (int i = 0; i + channels <= pixels.length && channels > 1; i += channels) {
            for (int c = 1; c < channels; c++) {
                if (Math.abs(pixels[i + c] - pixels[i]) > tolerance) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A grey image repeated into three equal channels (what load_image does for a grey file and color=True). */
    public FloatImage toColor() {
        if (channels != 1) {
            throw new IllegalStateException("toColor on a " + channels + "-channel image");
        }
        float[] rgb = new float[pixels.length * 3];
        for (int i = 0; i < pixels.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i];
        }
        return new FloatImage(height, width, 3, rgb, orientation);
    }
}
