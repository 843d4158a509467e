package xportdnn.calib;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What calibration statistics depend on besides the images: the net (its files' digest, whether BatchNorm/Scale
 * were folded into the convolutions first, and the weights equalization made of them) and the preprocessing, flag by
 * flag.
 *
 * @param net             the prototxt and caffemodel names, for messages
 * @param netDigest       sha-256 of the prototxt's bytes, then the caffemodel's
 * @param folded          calibrated on the folded net
 * @param equalizedDigest sha-256 of the equalized caffemodel calibrated on (--equalize), or "" when not equalized.
 *                        Its weights, not just the flag: they are a function of the files and of the equalization's
 *                        rules, which another version may change
 * @param preprocessing   flag name (as on the command line) -> its resolved value
 */
public record StatisticsOrigin(String net, String netDigest, boolean folded, String equalizedDigest,
                               Map<String, String> preprocessing) {

    public StatisticsOrigin {
        equalizedDigest = equalizedDigest == null ? "" : equalizedDigest;
        preprocessing = Collections.unmodifiableMap(new LinkedHashMap<>(preprocessing));
    }

    public boolean equalized() {
        return !equalizedDigest.isEmpty();
    }

    /** What differs from {@code run}'s, in words, or null when the statistics apply to it. */
    public String differenceFrom(StatisticsOrigin run) {
        if (!netDigest.equals(run.netDigest)) {
            return "saved from another net (" + net + "), not " + run.net;
        }
        if (folded != run.folded) {
            return folded ? "saved from the net with BatchNorm/Scale folded (--fuse_bn), this run does not fold"
                    : "saved from the unfolded net, this run folds BatchNorm/Scale (--fuse_bn)";
        }
        if (equalized() != run.equalized()) {
            return equalized() ? "saved from the net equalized across layers (--equalize), this run does not equalize"
                    : "saved from the net not equalized, this run equalizes it across layers (--equalize)";
        }
        if (!equalizedDigest.equals(run.equalizedDigest)) {
            return "saved from other equalized weights (--equalize of another xportdnn version), not this run's";
        }
        Set<String> flags = new LinkedHashSet<>(preprocessing.keySet());
        flags.addAll(run.preprocessing.keySet());
        for (String flag : flags) {
            String saved = preprocessing.get(flag);
            String now = run.preprocessing.get(flag);
            if (!Objects.equals(saved, now)) {
                return "saved with " + flag + " " + (saved == null ? "unset" : saved) + ", this run has "
                        + (now == null ? "none" : now);
            }
        }
        return null;
    }
}
