package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import xportdnn.data.PreprocessingFlags;
import xportdnn.pipeline.Sidecar;
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

    /** The sidecar beside {@code prototxt}, read once for every use below; none when ignored. */
    Sidecar.Lookup find(Path prototxt) {
        return ignore ? Sidecar.Lookup.none(prototxt) : Sidecar.find(prototxt);
    }

    /** The preprocessing flags: the options, completed from the sidecar. */
    PreprocessingFlags flags(Sidecar.Lookup sidecar, PreprocessingOptions options, PrintWriter err) {
        SidecarPreprocessing.Applied applied = SidecarPreprocessing.apply(sidecar, options.flags(), options.given());
        new Notes(err).print(applied.notices());
        return applied.flags();
    }

    /** Refuses the export's original caffemodel for a prototxt it wrote with other weights; warns on another one. */
    void checkWeights(Sidecar.Lookup sidecar, Path weights, PrintWriter err) {
        new Notes(err).print(SidecarWeights.check(sidecar, weights));
    }

    /** The draw --exclude_calibration leaves out: the flags, or the export's from the sidecar where none is given. */
    ValidationSettings.Draw excludedDraw(Sidecar.Lookup sidecar, ValidationSettings.Draw hand, boolean given,
                                         PrintWriter err) {
        SidecarCalibration.Applied applied = SidecarCalibration.apply(sidecar, hand, given);
        new Notes(err).print(applied.notices());
        return applied.draw();
    }
}
