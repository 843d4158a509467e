package xportdnn.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import xportdnn.model.Blob;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;

/**
 * The {@code caffe.io.Transformer} flags as a user gives them, before they meet a net: null means "not given".
 * {@link #resolve(Net)} fills the defaults that depend on the net: {@code dims} from its first Input blob (the
 * original tool defaulted to 3,224,224, which fits only 224 nets), and the mean 104,117,123 for a 3-channel input
 * without a mean of its own.
 *
 * @param dims        C,H,W or null for the net's input shape
 * @param transpose   axis order or null for 2,0,1
 * @param channelSwap channel order or null for the reversed order
 * @param rawScale    factor on the [0,1] image
 * @param meanValues  per-channel mean or null
 * @param meanFile    per-pixel mean file (.binaryproto or .npy) or null
 * @param inputScale  factor after the mean
 */
public record PreprocessingFlags(int[] dims, int[] transpose, int[] channelSwap, float rawScale, float[] meanValues,
                                 Path meanFile, float inputScale) {

    static final float[] DEFAULT_MEAN = {104, 117, 123};

    /** Every flag at its default. */
    public static PreprocessingFlags defaults() {
        return new PreprocessingFlags(null, null, null, Preprocessing.DEFAULT_RAW_SCALE, null, null,
                Preprocessing.DEFAULT_INPUT_SCALE);
    }

    /** The settings for {@code net}, whose first Input blob gives the default dims. */
    public Preprocessing resolve(Net net) {
        int[] size = dims != null ? dims : netInputDims(net);
        if (dims != null) {
            net.layers().stream().filter(l -> l.type().equals("Input")).findFirst()
                    .ifPresent(l -> checkDims(dims, l.tops().get(0), net.shape(l.tops().get(0))));
        }
        Blob mean = meanFile == null ? null : MeanFile.read(meanFile, size);
        float[] values = meanValues;
        if (values == null && mean == null && size[0] == 3) {
            values = DEFAULT_MEAN;
        }
        return new Preprocessing(size, transpose, channelSwap, rawScale, values, mean, inputScale);
    }

    /** Refuses {@code dims} (C,H,W) that are not the image size of the net's input {@code input} of {@code shape}. */
    public static void checkDims(int[] dims, String input, int[] shape) {
        if (shape.length != 4 || !Arrays.equals(dims, Arrays.copyOfRange(shape, 1, 4))) {
            throw new ModelException("--dims " + Arrays.stream(dims).mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")) + " does not fit the net: its input '" + input + "' is "
                    + Blob.describe(shape) + " (N first)" + (shape.length == 4 ? "; give --dims " + shape[1] + ","
                    + shape[2] + "," + shape[3] + ", or leave --dims out (it defaults to the net's input)" : ""));
        }
    }

    private static int[] netInputDims(Net net) {
        String input = net.layers().stream().filter(l -> l.layerType() == LayerType.INPUT).findFirst()
                .orElseThrow(() -> new ModelException("net '" + net.name() + "' has no Input layer"))
                .tops().get(0);
        int[] shape = net.shape(input);
        if (shape.length != 4) {
            throw new ModelException("input '" + input + "' is " + Blob.describe(shape)
                    + ", not an NxCxHxW image blob; pass --dims");
        }
        return Arrays.copyOfRange(shape, 1, 4);
    }
}
