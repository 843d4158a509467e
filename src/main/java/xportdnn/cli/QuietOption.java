package xportdnn.cli;

import picocli.CommandLine.Option;
import xportdnn.data.Progress;

/** {@code -q/--quiet}: no progress bar (none is drawn when stderr is not a terminal anyway). */
final class QuietOption {

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    /** Progress bars for a pipeline's steps, unless quiet. */
    Progress progress() {
        return ProgressBar.factory(quiet);
    }
}
