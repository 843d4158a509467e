package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import xportdnn.data.PreprocessingFlags;
import xportdnn.pipeline.SidecarCalibration;
import xportdnn.pipeline.SidecarPreprocessing;
import xportdnn.pipeline.ValidationSettings;
import xportdnn.pipeline.SidecarWeights;

/**
 * {@code --no_sidecar} of the commands that read images for a (quantized) prototxt: by default the preprocessing
 * flags not given by hand come from the export's sidecar beside the prototxt ({@code <prototxt>.xportdnn.json}).
 */
final class SidecarOption {

    @Option(names = "--no_sidecar", description = "Ignore the export's sidecar beside --deploy_model "
            + "(<prototxt>.xportdnn.json); by default the preprocessing flags not given come from it.")
    boolean ignore;

    /** The preprocessing flags for {@code prototxt}: the options, completed from its sidecar unless ignored. */
    PreprocessingFlags flags(Path prototxt, PreprocessingOptions options, PrintWriter err) {
        if (ignore) {
            return options.flags();
        }
        SidecarPreprocessing.Applied applied = SidecarPreprocessing.apply(prototxt, options.flags(), options.given());
        new Notes(err).print(applied.notices());
        return applied.flags();
    }

    /** Refuses the export's original caffemodel for a prototxt it wrote with other weights; warns on another one. */
    void checkWeights(Path prototxt, Path weights, PrintWriter err) {
        if (!ignore) {
            new Notes(err).print(SidecarWeights.check(prototxt, weights));
        }
    }

    /** The draw --exclude_calibration leaves out: the flags, or the export's from the sidecar where none is given. */
    ValidationSettings.Draw excludedDraw(Path prototxt, ValidationSettings.Draw hand, boolean given, PrintWriter err) {
        if (ignore) {
            return hand;
        }
        SidecarCalibration.Applied applied = SidecarCalibration.apply(prototxt, hand, given);
        new Notes(err).print(applied.notices());
        return applied.draw();
    }
}
