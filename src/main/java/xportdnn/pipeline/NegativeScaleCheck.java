package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xportdnn.data.Preprocessing;

/**
 * Whether {@code --raw_scale} or {@code --input_scale} is negative: the net then sees every image negated (dark for
 * bright), which no Caffe training does (its transform_param scale is a positive 1/255 or 0.017), yet the run goes
 * through and gives plausible thresholds. Most likely a sign typed by mistake, so a warning rather than a refusal.
 */
final class NegativeScaleCheck {

    private NegativeScaleCheck() {
    }

    /** One warning per negative scale, else none. */
    static List<Notice> of(Preprocessing preprocessing) {
        List<Notice> notices = new ArrayList<>();
        warn(notices, "--raw_scale", preprocessing.rawScale());
        warn(notices, "--input_scale", preprocessing.inputScale());
        return notices;
    }

    private static void warn(List<Notice> notices, String flag, float scale) {
        if (scale < 0) {
            notices.add(Notice.warning(String.format(Locale.ROOT, "%s %s is negative: the net sees every image "
                    + "negated (bright as dark), as no Caffe training does; give %s %s", flag, scale, flag, -scale)));
        }
    }
}
