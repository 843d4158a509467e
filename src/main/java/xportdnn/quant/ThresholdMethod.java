package xportdnn.quant;

import java.util.List;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.ModelException;

/**
 * A way to choose the clipping threshold of one activation blob from its calibration statistics: a small pure
 * function, so every method can be evaluated on the same statistics (and on merged shards).
 */
public interface ThresholdMethod {

    /** The name users pass to {@code --threshold_method}. */
    String name();

    /** The threshold for symmetric {@code bitwidth}-bit quantization; 0 for an all-zero blob. */
    double threshold(BlobHistograms stats, int bitwidth);

    /** The method used when none is asked for: the original tool's. */
    String DEFAULT = "kl-j";

    /** Every method name {@link #parse} accepts, as shown in help texts. */
    List<String> NAMES = List.of("kl-j", "kl", "max", "mse", "percentile:P", "aciq-laplace", "aciq-gauss");

    /** Parses a {@code --threshold_method} value. */
    static ThresholdMethod parse(String spec) {
        return parse(spec, "--threshold_method");
    }

    /** Parses the value of {@code flag}, which an error names. */
    static ThresholdMethod parse(String spec, String flag) {
        switch (spec) {
            case "kl-j":
                return new KlJThreshold();
            case "kl":
                return new EntropyThreshold();
            case "max":
                return new MaxThreshold();
            case "mse":
                return new MseThreshold();
            case "aciq-laplace":
                return AciqThreshold.laplace();
            case "aciq-gauss":
                return AciqThreshold.gauss();
            default:
                if (spec.startsWith("percentile:")) {
                    return PercentileThreshold.parse(spec.substring("percentile:".length()), flag);
                }
                throw new ModelException(flag + ": unknown method '" + spec + "' (choose one of "
                        + String.join(", ", NAMES) + ")");
        }
    }
}
