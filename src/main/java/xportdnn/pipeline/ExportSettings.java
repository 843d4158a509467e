package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.model.ModelException;
import xportdnn.precision.ChaiDnnBitwidths;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ThresholdMethod;

/**
 * Everything one export run needs, checked against itself when it is made, so that a mistake is refused before
 * any long work. The main command's flags map one to one onto it; tools, tests and other front ends build it
 * directly.
 *
 * @param quantType            Xilinx or DynamicFixed
 * @param deployModel          the float deploy prototxt
 * @param weights              its caffemodel
 * @param quantizedDeployModel where the quantized prototxt goes
 * @param bitwidths            total bits of input activations, weights, output activations
 * @param allowAnyBitwidth     accept bitwidths CHaiDNN does not run
 * @param fractionalLengths    DynamicFixed: one Q.F for every block, or null to choose them per layer
 *                             (which calibrates)
 * @param thresholdMethod      Xilinx: how activation thresholds are chosen
 * @param calibration          the calibration images and their preprocessing; null when the mode needs none
 * @param report               where the per-layer JSON report goes (Xilinx: thresholds; DynamicFixed: fractional
 *                             lengths), or null
 * @param fuseBn               fold BatchNorm/Scale into the convolutions first
 * @param fastFinetune         tune the weights and biases of the device's convolutions layer by layer on the
 *                             calibration images (folds BatchNorm/Scale first, so one weight set is tuned)
 * @param equalize             equalize the weights across layers ({@code xportdnn.equalize}) after folding
 *                             BatchNorm/Scale, before anything is calibrated or tuned
 * @param quantizedWeights     with {@code fuseBn}, {@code fastFinetune} or {@code equalize}: where the folded
 *                             (equalized, tuned) caffemodel goes; in DynamicFixed mode it alone implies folding
 *                             ({@link #foldsImplicitly})
 * @param statistics           the calibration cache: statistics to save and saved ones to load
 */
public record ExportSettings(QuantType quantType, Path deployModel, Path weights, Path quantizedDeployModel,
                             InParamsOut bitwidths, boolean allowAnyBitwidth, InParamsOut fractionalLengths,
                             ThresholdMethod thresholdMethod, CalibrationSettings calibration, Path report,
                             boolean fuseBn, boolean fastFinetune, boolean equalize, Path quantizedWeights,
                             StatisticsSettings statistics) {

    public ExportSettings {
        statistics = statistics == null ? StatisticsSettings.NONE : statistics;
        required(deployModel, "--deploy_model", "the float deploy prototxt");
        required(weights, "--weights", "the caffemodel");
        required(quantizedDeployModel, "--quantized_deploy_model", "the output prototxt");
        required(quantType, "--quant_type", "Xilinx or DynamicFixed");
        required(bitwidths, "--bitwidths", "total bits of input, weights, output");
        ChaiDnnBitwidths.check(bitwidths, allowAnyBitwidth);
        if (fastFinetune && quantizedWeights == null) {
            throw new ModelException("--fast_finetune needs --quantized_weights (the tuned caffemodel)");
        }
        if (equalize && quantizedWeights == null) {
            throw new ModelException("--equalize needs --quantized_weights (the equalized caffemodel)");
        }
        if (fuseBn != (quantizedWeights != null) && !fastFinetune && !equalize
                && !foldsForWeights(quantType, quantizedWeights)) {
            throw new ModelException(fuseBn ? "--fuse_bn needs --quantized_weights (the folded caffemodel)"
                    : "--quantized_weights is only written with --fuse_bn, --fast_finetune or --equalize");
        }
        if (quantType == QuantType.DynamicFixed && fractionalLengths != null && !allowAnyBitwidth) {
            checkFractionalLengths(fractionalLengths, bitwidths);
        }
        if (thresholdMethod == null) {
            thresholdMethod = ThresholdMethod.parse(ThresholdMethod.DEFAULT);
        }
        boolean calibrates = calibrates(quantType, fractionalLengths);
        if (!calibrates && (statistics.loads() || statistics.save() != null)) {
            throw new ModelException((statistics.loads() ? "--load_statistics" : "--save_statistics")
                    + " does not apply in DynamicFixed mode with --fl_bitwidths " + fractionalLengths
                    + " (nothing is calibrated; --fl_bitwidths auto calibrates)");
        }
        if (statistics.loads() && fastFinetune) {
            throw new ModelException("--fast_finetune does not apply with --load_statistics (tuning runs the float "
                    + "net over its images anyway: calibrate and tune in one run)");
        }
        if (calibration == null && (fastFinetune || calibrates) && !statistics.loads()) {
            throw new ModelException("missing --calibration_directory (the calibration images)");
        }
    }

    /** Without the calibration cache and equalization. */
    public ExportSettings(QuantType quantType, Path deployModel, Path weights, Path quantizedDeployModel,
                          InParamsOut bitwidths, boolean allowAnyBitwidth, InParamsOut fractionalLengths,
                          ThresholdMethod thresholdMethod, CalibrationSettings calibration, Path report,
                          boolean fuseBn, boolean fastFinetune, Path quantizedWeights) {
        this(quantType, deployModel, weights, quantizedDeployModel, bitwidths, allowAnyBitwidth, fractionalLengths,
                thresholdMethod, calibration, report, fuseBn, fastFinetune, false, quantizedWeights,
                StatisticsSettings.NONE);
    }

    /** The preprocessing flags of the run: the calibration's, or those loaded statistics must match. */
    public PreprocessingFlags preprocessing() {
        return calibration != null ? calibration.preprocessing() : statistics.preprocessing();
    }

    /** Whether the run folds BatchNorm/Scale into the convolutions (asked for, or needed by tuning, equalizing). */
    public boolean folds() {
        return fuseBn || fastFinetune || equalize || foldsForWeights(quantType, quantizedWeights);
    }

    /**
     * Whether the run folds only because DynamicFixed mode was given --quantized_weights without --fuse_bn: the
     * weights file then holds the folded net, as with --fuse_bn (the runtime's own fusion would starve them).
     */
    public boolean foldsImplicitly() {
        return !fuseBn && !fastFinetune && !equalize && foldsForWeights(quantType, quantizedWeights);
    }

    private static boolean foldsForWeights(QuantType type, Path quantizedWeights) {
        return type == QuantType.DynamicFixed && quantizedWeights != null;
    }

    /** A fractional length far outside the bitwidth (beyond +-2 bw) is a typo, not a format. */
    private static void checkFractionalLengths(InParamsOut fl, InParamsOut bw) {
        int[] fls = {fl.in(), fl.params(), fl.out()};
        int[] bws = {bw.in(), bw.params(), bw.out()};
        String[] what = {"input", "weights", "output"};
        for (int i = 0; i < 3; i++) {
            if (Math.abs(fls[i]) > 2 * bws[i]) {
                throw new ModelException("--fl_bitwidths: " + what[i] + " fl " + fls[i] + " cannot fit " + bws[i]
                        + "-bit values (expected " + -2 * bws[i] + ".." + 2 * bws[i]
                        + "); pass --allow_any_bitwidth to use it anyway");
            }
        }
    }

    /** The scheme these settings export with. */
    public ExportScheme scheme() {
        return quantType == QuantType.Xilinx
                ? new XilinxExport(thresholdMethod, bitwidths, allowAnyBitwidth, report != null)
                : new DynamicFixedExport(bitwidths, fractionalLengths, allowAnyBitwidth, folds(),
                        report != null);
    }

    /**
     * Every file the run reads, so that no output overwrites one.
     *
     * @param calibrationSet the calibration set as the run opened it on this machine (its list not parsed again),
     *                       or null to list it here
     */
    public List<Path> inputFiles(ImageSet calibrationSet) {
        List<Path> inputs = new ArrayList<>(List.of(deployModel, weights));
        if (calibration != null) {
            ImageStore.localPath(calibration.images()).ifPresent(p -> inputs.addAll(ImageSet.files(p, calibrationSet)));
        }
        if (preprocessing().meanFile() != null) {
            inputs.add(preprocessing().meanFile());
        }
        inputs.addAll(statistics.load());
        return inputs;
    }

    private static boolean calibrates(QuantType type, InParamsOut fractionalLengths) {
        return type == QuantType.Xilinx || fractionalLengths == null;
    }

    private static void required(Object value, String flag, String what) {
        if (value == null) {
            throw new ModelException("missing " + flag + " (" + what + ")");
        }
    }
}
