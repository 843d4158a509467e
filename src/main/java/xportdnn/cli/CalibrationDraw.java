package xportdnn.cli;

import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.PreprocessingFlags;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.ValidationSettings;

/**
 * Which images calibration takes ({@code --calibration_size}, {@code --calibration_seed} or
 * {@code --calibration_indices}): the export uses them to calibrate, {@code validate} to leave the same images out.
 */
final class CalibrationDraw {

    @Option(names = "--calibration_size", paramLabel = "N", defaultValue = "8",
            description = "How many images calibration draws at random. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--calibration_seed", paramLabel = "S", defaultValue = "" + CalibrationSample.DEFAULT_SEED,
            description = "Seed of that draw, so runs repeat. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--calibration_indices", paramLabel = "I,J,...", converter = CommaList.IntsConverter.class,
            description = "Exactly these images (0-based, in the order of their relative paths) instead of a "
                    + "random draw.")
    CommaList.Ints indices;

    /** A size or seed next to explicit indices does nothing: refused. */
    void check(ParseResult given) {
        if (given.hasMatchedOption("--calibration_indices")) {
            for (String flag : List.of("--calibration_size", "--calibration_seed")) {
                XportCommand.refuse(given, flag, "with --calibration_indices (exactly those images are used)");
            }
        }
    }

    /** Calibration on {@code images} with this draw, for the pipeline. */
    CalibrationSettings settings(String images, int batch, PreprocessingFlags preprocessing, boolean skipBadImages) {
        return new CalibrationSettings(images, size, seed, CommaList.Ints.of(indices), batch, preprocessing,
                skipBadImages);
    }

    /** The images these flags take, for the pipeline. */
    ValidationSettings.Draw draw() {
        return new ValidationSettings.Draw(size, seed, CommaList.Ints.of(indices));
    }
}
