package xportdnn.cli;

import java.util.List;
import picocli.CommandLine.Option;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.ImageSet;

/**
 * Which images calibration draws ({@code --calibration_size}, {@code --calibration_seed}): the export uses them to
 * calibrate, {@code validate} to leave the same images out.
 */
final class CalibrationDraw {

    @Option(names = "--calibration_size", paramLabel = "N", defaultValue = "8",
            description = "How many images calibration draws at random. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--calibration_seed", paramLabel = "S", defaultValue = "" + CalibrationSample.DEFAULT_SEED,
            description = "Seed of that draw, so runs repeat. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The drawn images, or exactly {@code indices} when given. */
    List<ImageSet.Entry> select(ImageSet set, int[] indices) {
        return CalibrationSample.select(set, size, seed, indices);
    }
}
