package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** {@code --labels}, and {@code --count}/{@code --seed}: which of a labelled set's images a command scores. */
final class ScoredDraw {

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Labels of an IDX file (IDX labels), or class names for class-named subfolders.")
    Path labels;

    @Option(names = "--count", paramLabel = "N",
            description = "Score N images drawn at random (seeded) instead of all.")
    Integer count;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of that draw. Default: 1.")
    long seed;

    /**
     * A note when --count asks for more images than the set gives ({@code available}, before any bad image was
     * skipped): all of them are scored, as the export's --calibration_size does.
     */
    void noteShortSet(PrintWriter err, long available) {
        if (count != null && count > available) {
            err.println("xportdnn: note: --count " + count + ": the set has only " + available + " images; scored "
                    + "all of them");
            err.flush();
        }
    }

    /** A seed without a draw does nothing: refused. */
    void check(ParseResult given) {
        if (count == null) {
            XportCommand.refuse(given, "--seed", "without --count (all images are scored)");
        }
    }
}
