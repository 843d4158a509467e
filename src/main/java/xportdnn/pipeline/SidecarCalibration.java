package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The images {@code validate --exclude_calibration} leaves out: the draw flags given by hand, else the export's draw
 * recorded in the sidecar beside the prototxt ({@link Sidecar.CalibrationSet}). Without it the defaults (8 images)
 * left out only some of an export's 32, silently. A hand-given draw that differs from the export's is said in one
 * warning line.
 */
public final class SidecarCalibration {

    /** The draw to leave out, and what to tell the user. */
    public record Applied(ValidationSettings.Draw draw, List<Notice> notices) {
    }

    private SidecarCalibration() {
    }

    /**
     * @param lookup the sidecar of the quantized prototxt
     * @param hand   the draw flags as given (defaults where not given)
     * @param given  whether any of --calibration_size, --calibration_seed, --calibration_indices was given
     */
    public static Applied apply(Sidecar.Lookup lookup, ValidationSettings.Draw hand, boolean given) {
        Sidecar.CalibrationSet recorded = lookup.found() ? lookup.sidecar().calibration() : null;
        if (recorded == null || (recorded.indices() == null && (recorded.size() == null || recorded.seed() == null))) {
            return new Applied(hand, List.of());
        }
        ValidationSettings.Draw export = recorded.indices() != null
                ? new ValidationSettings.Draw(0, 0, recorded.indices())
                : new ValidationSettings.Draw(recorded.size(), recorded.seed());
        String described = describe(export);
        List<Notice> notices = new ArrayList<>();
        ValidationSettings.Draw draw = hand;
        if (!given) {
            draw = export;
            notices.add(Notice.note("--exclude_calibration: leaving out the export's calibration images, " + described
                    + " (from " + lookup.file().getFileName() + ")"));
        } else if (!same(hand, export)) {
            notices.add(Notice.warning("--exclude_calibration: " + describe(hand) + " differs from the export's "
                    + described + " (from " + lookup.file().getFileName() + "); leaving out " + describe(hand)));
        }
        return new Applied(draw, notices);
    }

    private static boolean same(ValidationSettings.Draw a, ValidationSettings.Draw b) {
        return a.indices() != null || b.indices() != null ? Arrays.equals(a.indices(), b.indices())
                : a.size() == b.size() && a.seed() == b.seed();
    }

    private static String describe(ValidationSettings.Draw draw) {
        if (draw.indices() != null) {
            return draw.indices().length + " by --calibration_indices";
        }
        return "--calibration_size " + draw.size() + " --calibration_seed " + draw.seed();
    }
}
