package xportdnn.cli;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import xportdnn.data.PreprocessingFlags;
import xportdnn.pipeline.SidecarPreprocessing;

/**
 * The original tool's {@code caffe.io.Transformer} flags, shared by every command that reads images. Defaults are
 * the original's, except {@code --dims}, which defaults to the net's own input shape rather than 3,224,224 (a
 * different size would not fit the net anyway), and the mean, which is 104,117,123 only for a 3-channel input.
 */
final class PreprocessingOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--dims", paramLabel = "C,H,W",
            converter = CommaList.IntsConverter.class,
            description = "Network input size; images are resized to H,W. Default: the net's input shape.")
    CommaList.Ints dims;

    @Option(names = "--transpose", paramLabel = "A,B,C",
            converter = CommaList.IntsConverter.class,
            description = "Axis order from the HxWxC image to the input (caffe.io set_transpose). Default: 2,0,1.")
    CommaList.Ints transpose;

    @Option(names = "--channel_swap", paramLabel = "ORDER",
            converter = CommaList.IntsConverter.class,
            description = "Channel order after the transpose (set_channel_swap). Default: 2,1,0 (RGB to BGR); 0 "
                    + "for a grey input.")
    CommaList.Ints channelSwap;

    @Option(names = "--raw_scale", paramLabel = "S", defaultValue = "255.0",
            description = "Factor on the [0,1] image (set_raw_scale). Default: ${DEFAULT-VALUE}.")
    float rawScale;

    @Option(names = "--mean_value", paramLabel = "M,...",
            converter = CommaList.FloatsConverter.class,
            description = "Per-channel mean to subtract, in the network's channel order. Default: 104,117,123 for "
                    + "a colour input, none for grey.")
    CommaList.Floats meanValue;

    @Option(names = "--mean_file", paramLabel = "FILE",
            description = "Per-pixel mean (CxHxW) as a Caffe .binaryproto or a .npy, in the network's channel "
                    + "order; instead of --mean_value.")
    Path meanFile;

    @Option(names = "--input_scale", paramLabel = "S", defaultValue = "1.0",
            description = "Factor applied after the mean. Default: ${DEFAULT-VALUE}.")
    float inputScale;

    /** The flags as given, for the pipeline. */
    PreprocessingFlags flags() {
        return new PreprocessingFlags(CommaList.Ints.of(dims), CommaList.Ints.of(transpose),
                CommaList.Ints.of(channelSwap), rawScale, CommaList.Floats.of(meanValue), meanFile, inputScale);
    }

    /** Which of the flags the user gave (by their long names). */
    Set<String> given() {
        ParseResult parsed = command.commandLine().getParseResult();
        return SidecarPreprocessing.FLAGS.stream().filter(parsed::hasMatchedOption).collect(Collectors.toSet());
    }

    /** The files these options read, so outputs never overwrite them. */
    Path meanFileOrNull() {
        return meanFile;
    }
}
