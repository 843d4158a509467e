package xportdnn.cli;

import java.io.PrintWriter;
import java.util.Map;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.Net;

/** The notes and warnings both export modes print on stderr. */
final class Notes {

    private final PrintWriter err;

    Notes(PrintWriter err) {
        this.err = err;
    }

    void rebatched(Map<String, Long> inputs) {
        inputs.forEach((input, was) -> err.println("xportdnn: note: batch dimension of input '" + input
                + "' set to 1 (was " + was + "): CHaiDNN runs one image at a time"));
        err.flush();
    }

    void unsupported(Net net) {
        for (Layer layer : net.layers()) {
            if (ChaidnnSupport.of(layer.param()) == ChaidnnSupport.UNSUPPORTED) {
                err.println("xportdnn: warning: layer '" + layer.name() + "' (" + ChaidnnSupport.describe(layer.param())
                        + ") is not supported by CHaiDNN; the net will not run on the device as it is");
            }
        }
        err.flush();
    }

    void note(String text) {
        err.println("xportdnn: note: " + text);
        err.flush();
    }

    void warning(String text) {
        err.println("xportdnn: warning: " + text);
        err.flush();
    }
}
