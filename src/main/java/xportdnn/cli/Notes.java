package xportdnn.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import xportdnn.pipeline.Notice;

/** Notes and warnings on stderr, each line starting "xportdnn: note:" or "xportdnn: warning:". */
final class Notes {

    private final PrintWriter err;

    Notes(PrintWriter err) {
        this.err = err;
    }

    void print(List<Notice> notices) {
        for (Notice n : notices) {
            err.println("xportdnn: " + (n.warning() ? "warning: " : "note: ") + n.text());
        }
        err.flush();
    }

    /** {@code warning}'s text as a warning line, if there is one. */
    void warn(Optional<String> warning) {
        warning.ifPresent(w -> print(List.of(Notice.warning(w))));
    }
}
