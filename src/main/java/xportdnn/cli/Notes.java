package xportdnn.cli;

import java.io.PrintWriter;
import java.util.List;
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
}
