package xportdnn.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import xportdnn.model.ModelException;
import xportdnn.model.ToolVersion;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.ExportPipeline;
import xportdnn.pipeline.ExportSettings;
import xportdnn.pipeline.QuantType;
import xportdnn.pipeline.StatisticsSettings;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ThresholdMethod;

/** The top-level {@code xportdnn} command: the original tool's flags, plus subcommands. */
@Command(name = "xportdnn", mixinStandardHelpOptions = true, version = ToolVersion.TEXT, sortOptions = false,
        description = "Turns a float Caffe model into a CHaiDNN fixed-point model and checks it on the host.",
        subcommands = {InspectCommand.class, InferCommand.class, ValidateCommand.class, CompareCommand.class,
                BenchCommand.class, ThresholdCommand.class, CommandLine.HelpCommand.class})
final class XportCommand implements Callable<Integer> {

    /** What a bare {@code xportdnn} prints: the two forms and where the flags are. */
    static final String SHORT_USAGE = String.join(System.lineSeparator(),
            "Usage: xportdnn [--quant_type Xilinx|DynamicFixed] --deploy_model PROTOTXT --weights CAFFEMODEL",
            "                --quantized_deploy_model PROTOTXT [flags]      export a CHaiDNN fixed-point model",
            "       xportdnn inspect|infer|validate|compare|bench|threshold [flags]",
            "Try 'xportdnn --help' for the flags, 'xportdnn help COMMAND' for a command's.", "");

    @Spec
    CommandSpec spec;

    @Option(names = "--quant_type", defaultValue = "Xilinx", paramLabel = "MODE",
            description = "Xilinx (calibrated per-channel thresholds) or DynamicFixed (fixed point with "
                    + "fractional lengths). Default: ${DEFAULT-VALUE}.")
    QuantType quantType;

    @Option(names = "--deploy_model", paramLabel = "PROTOTXT", description = "The float deploy prototxt.")
    Path deployModel;

    @Option(names = "--weights", paramLabel = "CAFFEMODEL", description = "Its trained weights.")
    Path weights;

    @Option(names = "--quantized_deploy_model", paramLabel = "PROTOTXT",
            description = "Where to write the quantized prototxt (never over an input).")
    Path quantizedDeployModel;

    @Option(names = "--bitwidths", paramLabel = "IN,PARAMS,OUT", defaultValue = "6,6,6",
            converter = InParamsOutConverter.class,
            description = "Total bits of the input activations, the weights and the output activations "
                    + "(CHaiDNN: 6 or 8). Default: ${DEFAULT-VALUE}.")
    InParamsOut bitwidths;

    @Option(names = "--allow_any_bitwidth", description = "Accept bitwidths other than 6 and 8.")
    boolean allowAnyBitwidth;

    @Option(names = "--fl_bitwidths", paramLabel = "IN,PARAMS,OUT|auto", defaultValue = "2,5,2",
            converter = FractionalLengths.Converter.class,
            description = "DynamicFixed: fractional bits of the input activations, the convolution weights and the "
                    + "output activations, or 'auto' to choose them per layer from calibration (same flags as "
                    + "Xilinx mode). BatchNorm and Scale values get the largest fl that fits their values. "
                    + "Default: ${DEFAULT-VALUE}.")
    FractionalLengths flBitwidths;

    @Option(names = "--calibration_directory", paramLabel = "IMAGES",
            description = "Calibration (Xilinx mode and --fl_bitwidths auto): the images: a folder (searched recursively), a val.txt-style list or "
                    + "an MNIST IDX file.")
    String calibrationDirectory;

    @Mixin
    CalibrationDraw calibrationDraw;

    @Option(names = "--threshold_method", paramLabel = "METHOD", defaultValue = ThresholdMethod.DEFAULT,
            description = "Xilinx: how activation thresholds are chosen: kl-j (the original tool's), kl "
                    + "(TensorRT entropy), max, mse, percentile:P, aciq-laplace, aciq-gauss. Default: "
                    + "${DEFAULT-VALUE}.")
    String thresholdMethod;

    @Mixin
    PreprocessingOptions preprocessing;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Calibration: images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--report", paramLabel = "JSON",
            description = "Also write a per-layer JSON report: Xilinx: the thresholds, the method, max |x| and the "
                    + "fraction of values clipped; DynamicFixed: fl_layer_in, fl_layer_out, fl_params.")
    Path report;

    @Option(names = "--fuse_bn", description = "Fold BatchNorm/Scale into the preceding convolutions and write the "
            + "folded net (needs --quantized_weights for its caffemodel). Recommended in DynamicFixed mode, where the "
            + "runtime's own fusion gives small fused weights too few bits.")
    boolean fuseBn;

    @Option(names = "--fast_finetune", description = "Tune the weights and biases of the convolutions the device "
            + "computes, layer by layer on the calibration images, so that their fixed-point outputs stay close to the "
            + "float ones (folds BatchNorm/Scale first; needs --quantized_weights for the tuned caffemodel).")
    boolean fastFinetune;

    @Option(names = "--equalize", description = "Cross-layer equalization before quantizing: rescale each "
            + "convolution's output channels against the input channels of the convolutions that alone read them "
            + "(through a ReLU or pooling), so that one weight format per layer fits the channels better; the float net "
            + "computes the same. Folds BatchNorm/Scale first; needs --quantized_weights for the equalized caffemodel.")
    boolean equalize;

    @Option(names = "--quantized_weights", paramLabel = "CAFFEMODEL",
            description = "With --fuse_bn, --fast_finetune or --equalize: where to write the folded (equalized, tuned) "
                    + "net's caffemodel. In DynamicFixed mode it implies --fuse_bn.")
    Path quantizedWeights;

    @Option(names = "--save_statistics", paramLabel = "FILE",
            description = "Also save the calibration statistics (both float passes, merged), so that another "
                    + "threshold method, bitwidth or --fl_bitwidths auto run can --load_statistics them.")
    Path saveStatistics;

    @Option(names = "--load_statistics", paramLabel = "FILE[,FILE...]",
            description = "Calibrate from saved statistics instead of images (same net and preprocessing flags); "
                    + "several files of disjoint images merge exactly when their histograms share one first pass. "
                    + "With --calibration_directory: only the second pass runs, on those images, laid out on the "
                    + "files' merged ranges (how shards are calibrated).")
    String loadStatistics;

    @Mixin
    SparkOption spark;

    @Mixin
    SkipBadImagesOption skipBadImages;

    @Mixin
    QuietOption quiet;

    @Override
    public Integer call() {
        if (spec.commandLine().getParseResult().originalArgs().isEmpty()) {
            spec.commandLine().getOut().print(SHORT_USAGE);
            spec.commandLine().getOut().flush();
            return 0;
        }
        refuseFlagsThatDoNotApply(spec.commandLine().getParseResult());
        ExportSettings settings = settings();
        ExportPipeline.Outcome outcome = spark.run(passes -> ExportPipeline.run(settings, passes, quiet.progress()));
        new Notes(spec.commandLine().getErr()).print(outcome.notices());
        spec.commandLine().getOut().println("xportdnn: " + outcome.summary());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * A flag given where it does nothing is refused in words rather than silently ignored: the Xilinx-only and
     * DynamicFixed-only flags in the other mode, the calibration and preprocessing flags when nothing is
     * calibrated (uniform --fl_bitwidths), and the random draw's flags next to --calibration_indices.
     */
    void refuseFlagsThatDoNotApply(ParseResult given) {
        if (quantType == QuantType.Xilinx) {
            refuse(given, "--fl_bitwidths", "in Xilinx mode (it sets DynamicFixed formats; Xilinx mode uses "
                    + "thresholds)");
        } else {
            refuse(given, "--threshold_method", "in DynamicFixed mode (it chooses Xilinx thresholds; DynamicFixed "
                    + "formats come from --fl_bitwidths)");
            if (!flBitwidths.auto() && !fastFinetune) {
                for (String flag : CALIBRATION_FLAGS) {
                    refuse(given, flag, "in DynamicFixed mode with --fl_bitwidths " + flBitwidths
                            + " (nothing is calibrated; --fl_bitwidths auto calibrates)");
                }
            }
            if (!flBitwidths.auto()) {
                // fast finetune reads the calibration images, but on this machine: no pass is left for Spark
                refuse(given, "--spark", "in DynamicFixed mode with --fl_bitwidths " + flBitwidths
                        + " (nothing is calibrated; --fl_bitwidths auto calibrates)");
            }
        }
        if (given.hasMatchedOption("--load_statistics") && calibrationDirectory == null) {
            for (String flag : List.of("--calibration_size", "--calibration_seed", "--calibration_indices",
                    "--batch", "--spark", "--skip_bad_images")) {
                refuse(given, flag, "with --load_statistics and no --calibration_directory (no image is read: the "
                        + "statistics come from the file)");
            }
        }
        calibrationDraw.check(given);
    }

    /** The flags that only matter when the run calibrates. */
    static final List<String> CALIBRATION_FLAGS = List.of("--calibration_directory", "--calibration_size",
            "--calibration_seed", "--calibration_indices", "--batch", "--dims", "--transpose", "--channel_swap",
            "--raw_scale", "--mean_value", "--mean_file", "--input_scale", "--skip_bad_images");

    static void refuse(ParseResult given, String flag, String where) {
        if (given.hasMatchedOption(flag)) {
            throw new ModelException(flag + " does not apply " + where);
        }
    }

    /** The files of --load_statistics, or null. */
    private List<Path> statisticsFiles() {
        if (loadStatistics == null) {
            return null;
        }
        List<String> names = Arrays.asList(loadStatistics.split(",", -1));
        if (names.stream().anyMatch(String::isBlank)) {
            throw new ModelException("--load_statistics: an empty file name in '" + loadStatistics + "'");
        }
        return names.stream().map(Path::of).toList();
    }

    /** The flags as the pipeline's settings (which check them against each other). */
    ExportSettings settings() {
        CalibrationSettings calibration = calibrationDirectory == null ? null
                : calibrationDraw.settings(calibrationDirectory, batch, preprocessing.flags(), skipBadImages.skip);
        return new ExportSettings(quantType, deployModel, weights, quantizedDeployModel, bitwidths,
                allowAnyBitwidth, flBitwidths.uniform(), ThresholdMethod.parse(thresholdMethod), calibration, report,
                fuseBn, fastFinetune, equalize, quantizedWeights,
                new StatisticsSettings(statisticsFiles(), saveStatistics, preprocessing.flags()));
    }
}
