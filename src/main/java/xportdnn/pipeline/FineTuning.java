package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import xportdnn.data.Progress;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.tune.FastFinetune;
import xportdnn.validate.OutputBlob;

/** The tuning step: the quantized net's convolutions tuned on the calibration images, and what to tell of it. */
final class FineTuning {

    private FineTuning() {
    }

    static FastFinetune.Result run(Net floatNet, NetParameter quantized, CalibrationInput input,
                                   Progress progress) {
        return FastFinetune.run(floatNet, quantized, input.images(), input.transformer(), input.batch(), progress);
    }

    /**
     * A warning when the net's output is an SSD detector's: each convolution is tuned for its error over all of its
     * positions, which background dominates, and on the shared face detector that lost detections the untuned
     * export kept.
     */
    static List<Notice> detectorCaution(Net net) {
        OutputBlob output = OutputBlob.choose(net, null);
        if (!output.isDetection()) {
            return List.of();
        }
        return List.of(Notice.warning("--fast_finetune on a detector (output " + output.describe() + " is SSD "
                + "detections): each convolution is tuned for its error over all positions, mostly background, and "
                + "the shared face detector lost detections from it at 6 bits (average precision against float 0.86 "
                + "untuned, 0.68 tuned); score both exports with validate on images the export did not calibrate on "
                + "before deploying the tuned one"));
    }

    /** One note: how many layers were tuned and the mean output SQNR before and after. */
    static Notice summary(FastFinetune.Result result) {
        List<FastFinetune.LayerResult> layers = result.layers();
        if (layers.isEmpty()) {
            return Notice.note("fast finetune found no convolution the device computes, so it tuned nothing");
        }
        long tuned = layers.stream().filter(FastFinetune.LayerResult::tuned).count();
        double before = layers.stream().mapToDouble(FastFinetune.LayerResult::sqnrPlain).filter(Double::isFinite)
                .average().orElse(Double.NaN);
        double after = layers.stream().mapToDouble(l -> l.tuned() ? l.sqnrTuned() : l.sqnrPlain())
                .filter(Double::isFinite).average().orElse(Double.NaN);
        long formats = layers.stream().filter(l -> !l.format().after().equals(l.format().before())).count();
        return Notice.note(String.format(Locale.ROOT, "fast finetune tuned %d of %d convolutions and changed the output "
                + "format of %d; their output SQNR on the calibration images (before the activation) averages %.2f dB, "
                + "%.2f dB untuned", tuned, layers.size(), formats, after, before));
    }

    /**
     * One warning per tuned layer whose pooled values wrap around on calibration images with the formats written
     * (fast finetune keeps the exported formats unless a candidate is better, and refuses every candidate without
     * the headroom against wrapping): the device writes the low bits of such an average, so a large score comes out
     * small or negative.
     */
    static List<Notice> wrapped(FastFinetune.Result result, int images) {
        List<Notice> notices = new ArrayList<>();
        for (FastFinetune.LayerResult l : result.layers()) {
            if (l.format().wrapped() > 0) {
                notices.add(Notice.warning(String.format(Locale.ROOT, "layer '%s': measured %s, a pooled code wraps "
                        + "around on %d of %d calibration images with the formats written: the device writes the low "
                        + "bits of an average beyond its output format's range", l.layer(), l.format().measuredAt(),
                        l.format().wrapped(), images)));
            }
        }
        return notices;
    }

    /** The report's per-layer section. */
    static List<Map<String, Object>> report(FastFinetune.Result result) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FastFinetune.LayerResult l : result.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.layer());
            m.put("tuned", l.tuned());
            m.put("sqnr_db_before", finiteOrNull(l.sqnrPlain()));
            m.put("sqnr_db_after", finiteOrNull(l.tuned() ? l.sqnrTuned() : l.sqnrPlain()));
            FastFinetune.FormatResult f = l.format();
            m.put("output_format_before", f.before());
            m.put("output_format_after", f.after());
            m.put("output_format_measured", f.measuredAt());
            m.put("output_sqnr_db_before", finiteOrNull(f.sqnrBefore()));
            m.put("output_sqnr_db_after", finiteOrNull(f.sqnrAfter()));
            if (f.pooling() != null) {
                m.put("pooling_format_before", f.pooling().before());
                m.put("pooling_format_after", f.pooling().after());
            }
            out.add(m);
        }
        return out;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
