package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.Net;

/** Something a run wants its user to know: a note, or a warning about what the device will do. */
public record Notice(boolean warning, String text) {

    public static Notice note(String text) {
        return new Notice(false, text);
    }

    public static Notice warning(String text) {
        return new Notice(true, text);
    }

    /**
     * --skip_bad_images: a warning per image taken out (each naming it), then their count; nothing when none was.
     */
    public static List<Notice> skipped(List<String> skipped) {
        List<Notice> notices = new ArrayList<>();
        if (!skipped.isEmpty()) {
            skipped.forEach(s -> notices.add(warning("skipped bad image: " + s)));
            notices.add(warning("skipped " + skipped.size() + (skipped.size() == 1 ? " bad image" : " bad images")
                    + " (--skip_bad_images)"));
        }
        return notices;
    }

    /** One note per Input layer whose batch dimension the export set to 1. */
    static List<Notice> rebatched(Map<String, Long> inputs) {
        List<Notice> notices = new ArrayList<>();
        inputs.forEach((input, was) -> notices.add(note("batch dimension of input '" + input + "' set to 1 (was "
                + was + "): CHaiDNN runs one image at a time")));
        return notices;
    }

    /** One warning per layer CHaiDNN cannot run. */
    static List<Notice> unsupported(Net net) {
        List<Notice> notices = new ArrayList<>();
        for (Layer layer : net.layers()) {
            if (ChaidnnSupport.of(layer.param()) == ChaidnnSupport.UNSUPPORTED) {
                String hint = ChaidnnSupport.hint(layer.param());
                notices.add(warning("layer '" + layer.name() + "' (" + ChaidnnSupport.describe(layer.param())
                        + ") is not supported by CHaiDNN; the net will not run on the device as it is"
                        + (hint.isEmpty() ? "" : " (" + hint + ")")));
            }
        }
        return notices;
    }
}
