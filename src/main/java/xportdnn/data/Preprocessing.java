package xportdnn.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;

/**
 * The original tool's {@code caffe.io.Transformer} settings, checked against each other. Null arrays take the
 * defaults: {@code transpose} 2,0,1 (H x W x C image to C x H x W), {@code channelSwap} the reversed channel
 * order (2,1,0 = RGB to BGR for colour, 0 for grey). At most one of {@code meanValues} / {@code meanArray}.
 *
 * @param dims        C,H,W of the network input ({@code --dims}); C = 1 loads images grey, C = 3 colour
 * @param transpose   axis order applied to the H x W x C image ({@code --transpose})
 * @param channelSwap channel order after the transpose ({@code --channel_swap})
 * @param rawScale    factor applied to the [0, 1] image ({@code --raw_scale}, the tool's default 255)
 * @param meanValues  per-channel mean in the network's channel order, after the swap ({@code --mean_value})
 * @param meanArray   a C x H x W mean in the network's channel order ({@code --mean_file}), reshaped to dims
 * @param inputScale  factor applied after the mean ({@code --input_scale}, default 1)
 */
public record Preprocessing(int[] dims, int[] transpose, int[] channelSwap, float rawScale, float[] meanValues,
                            Blob meanArray, float inputScale) implements Serializable {

    public static final float DEFAULT_RAW_SCALE = 255f;
    public static final float DEFAULT_INPUT_SCALE = 1f;

    public Preprocessing {
        dims = checkDims(dims);
        int c = dims[0];
        transpose = transpose == null ? new int[] {2, 0, 1} : transpose.clone();
        channelSwap = channelSwap == null ? IntStream.range(0, c).map(i -> c - 1 - i).toArray() : channelSwap.clone();
        checkPermutation("--transpose", transpose, 3);
        checkTransposeShape(dims, transpose);
        if (channelSwap.length != c) {
            throw new ModelException("--channel_swap: " + list(channelSwap) + " has " + channelSwap.length
                    + " values for a " + c + "-channel input" + (c == 1 ? " (use 0 for grey)" : ""));
        }
        checkPermutation("--channel_swap", channelSwap, c);
        checkScale("--raw_scale", rawScale);
        checkScale("--input_scale", inputScale);
        if (meanValues != null && meanArray != null) {
            throw new ModelException("--mean_value and --mean_file cannot be used together");
        }
        if (meanValues != null) {
            meanValues = meanValues.clone();
            if (meanValues.length != c) {
                throw new ModelException("--mean_value: " + meanValues.length + " values for a " + c
                        + "-channel input (one per channel, in the network's channel order)");
            }
            for (float v : meanValues) {
                if (!Float.isFinite(v)) {
                    throw new ModelException("--mean_value: " + v + " is not a finite number");
                }
            }
        }
        if (meanArray != null) {
            meanArray = fitMean(meanArray, dims);
            checkFinite(meanArray);
        }
    }

    /** A mean holding inf or NaN makes every input so; said of the mean, not of the input blob it poisons. */
    private static void checkFinite(Blob mean) {
        float[] data = mean.data();
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                int plane = mean.shape()[1] * mean.shape()[2];
                throw new ModelException("--mean_file: the mean holds " + data[i] + " (channel " + i / plane
                        + ", row " + i % plane / mean.shape()[2] + ", column " + i % mean.shape()[2]
                        + "); a mean must be finite");
            }
        }
    }

    /** The settings with the defaults for everything but the input dims. */
    public static Preprocessing defaults(int[] dims) {
        return new Preprocessing(dims, null, null, DEFAULT_RAW_SCALE, null, null, DEFAULT_INPUT_SCALE);
    }

    /** The same settings with another {@code --channel_swap}. */
    public Preprocessing withChannelSwap(int[] swap) {
        return new Preprocessing(dims, transpose, swap, rawScale, meanValues, meanArray, inputScale);
    }

    /** Whether images are loaded in colour (3 channels) rather than grey. */
    public boolean color() {
        return dims[0] == 3;
    }

    /** The mean to subtract, expanded to one value per output element (C x H x W), or null without a mean. */
    float[] meanPerElement() {
        if (meanArray != null) {
            return meanArray.data();
        }
        if (meanValues == null) {
            return null;
        }
        int plane = dims[1] * dims[2];
        float[] mean = new float[dims[0] * plane];
        for (int c = 0; c < dims[0]; c++) {
            Arrays.fill(mean, c * plane, (c + 1) * plane, meanValues[c]);
        }
        return mean;
    }

    private static int[] checkDims(int[] dims) {
        if (dims == null || dims.length != 3) {
            throw new ModelException("--dims: expected C,H,W (3 values), got "
                    + (dims == null ? "nothing" : list(dims)));
        }
        for (int d : dims) {
            if (d <= 0) {
                throw new ModelException("--dims: " + list(dims) + " has a size that is not positive");
            }
        }
        if (dims[0] != 1 && dims[0] != 3) {
            throw new ModelException("--dims: " + dims[0] + " channels, but images give 1 (grey) or 3 (colour)");
        }
        return dims.clone();
    }

    private static void checkPermutation(String flag, int[] order, int n) {
        if (order.length != n) {
            throw new ModelException(flag + ": " + list(order) + " has " + order.length + " values, expected " + n);
        }
        boolean[] seen = new boolean[n];
        for (int v : order) {
            if (v < 0 || v >= n || seen[v]) {
                throw new ModelException(flag + ": " + list(order) + " is not an order of "
                        + list(IntStream.range(0, n).toArray()));
            }
            seen[v] = true;
        }
    }

    /** The transposed H x W x C image must be the C x H x W input (2,0,1 always is; 2,1,0 when H = W). */
    private static void checkTransposeShape(int[] dims, int[] transpose) {
        int[] image = {dims[1], dims[2], dims[0]};
        int[] result = {image[transpose[0]], image[transpose[1]], image[transpose[2]]};
        if (!Arrays.equals(result, dims)) {
            throw new ModelException("--transpose: " + list(transpose) + " turns the " + Blob.describe(image)
                    + " (HxWxC) image into " + Blob.describe(result) + ", not the " + Blob.describe(dims)
                    + " (CxHxW) input");
        }
    }

    private static void checkScale(String flag, float scale) {
        if (!Float.isFinite(scale) || scale == 0) {
            throw new ModelException(flag + ": " + scale + " is not a finite non-zero number");
        }
    }

    /**
     * Accepts C x H x W with leading 1s (Caffe's 1 x C x H x W), H x W for a grey input, or C values, one per
     * channel, spread over the plane (pycaffe's {@code Transformer.set_mean} broadcasts a 1-D mean so).
     */
    private static Blob fitMean(Blob mean, int[] dims) {
        int[] shape = mean.shape();
        if (shape.length == 1 && shape[0] == dims[0]) {
            int plane = dims[1] * dims[2];
            float[] spread = new float[dims[0] * plane];
            for (int i = 0; i < spread.length; i++) {
                spread[i] = mean.data()[i / plane];
            }
            return new Blob(dims.clone(), spread);
        }
        int start = 0;
        while (shape.length - start > 3 && shape[start] == 1) {
            start++;
        }
        int[] core = Arrays.copyOfRange(shape, start, shape.length);
        if (core.length == 2 && dims[0] == 1) {
            core = new int[] {1, core[0], core[1]};
        }
        if (!Arrays.equals(core, dims)) {
            throw new ModelException("--mean_file: the mean is " + Blob.describe(shape) + ", the input is "
                    + Blob.describe(dims) + perChannelHint(mean, shape, dims[0]));
        }
        return new Blob(core, mean.data());
    }

    /**
     * For a C x H x W mean of another size (e.g. 256 x 256 for a 227 x 227 net): the per-channel averages; none for
     * a mean of another channel count than the input's {@code channels} (another net's mean).
     */
    private static String perChannelHint(Blob mean, int[] shape, int channels) {
        if (shape.length < 3) {
            return "";
        }
        int c = shape[shape.length - 3];
        int plane = shape[shape.length - 2] * shape[shape.length - 1];
        if (c != channels || (long) c * plane != mean.count()) {
            return "";
        }
        double[] avg = new double[c];
        for (int i = 0; i < mean.count(); i++) {
            avg[i / plane] += mean.data()[i];
        }
        return "; to subtract its per-channel averages use --mean_value "
                + Arrays.stream(avg).mapToObj(a -> String.format(java.util.Locale.ROOT, "%.4f", a / plane))
                        .collect(Collectors.joining(","));
    }

    /** {@code values} as a flag takes them: {@code 2,1,0}. */
    public static String list(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
