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
import xportdnn.tune.TuningTarget;
import xportdnn.validate.OutputBlob;

/** The tuning step: the quantized net's convolutions tuned on the calibration images, and what to tell of it. */
final class FineTuning {

    private FineTuning() {
    }

    static FastFinetune.Result run(Net floatNet, NetParameter quantized, CalibrationInput input,
                                   Progress progress) {
        return FastFinetune.run(floatNet, quantized, input.images(), input.transformer(), input.batch(), progress,
                target(floatNet));
    }

    /**
     * An SSD detector's layers are fitted to their float weights on the device's input, every other net's to the
     * float net's outputs. A fit to the float outputs makes each layer make up for its input's error as that error
     * is at the typical (background) positions; on the shared face detector (6-bit, 64 ImageNet images, scored on
     * 186 others) it raised the error at the positions whose priors float scores above 0.3 in three of the four
     * source maps while lowering it over all positions, lowered those priors' face logit by 0.57 on average (untuned
     * 0.21) and lost detections; the fit on the device's input lowered the error at both (face logit 0.28 lower) and
     * kept them (tools/DetectorFaceError.java).
     */
    static TuningTarget target(Net net) {
        return OutputBlob.choose(net, null).isDetection() ? TuningTarget.DEVICE_INPUT : TuningTarget.FLOAT_OUTPUT;
    }

    /**
     * A note when the net's output is an SSD detector's: its convolutions were fitted on the device's input
     * ({@link #target}), and a detector's loss is best judged by its detections.
     */
    static List<Notice> detectorNote(Net net) {
        OutputBlob output = OutputBlob.choose(net, null);
        if (!output.isDetection()) {
            return List.of();
        }
        return List.of(Notice.note("--fast_finetune on a detector (output " + output.describe() + " is SSD "
                + "detections): each convolution was fitted to its float weights on the device's input, not to the "
                + "float net's outputs (which lost detections on the shared face detector at 6 bits); score both "
                + "exports with validate on images the export did not calibrate on"));
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
