package xportdnn.calib;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What calibration statistics depend on besides the images: the net (its files' digest, and whether BatchNorm/Scale
 * were folded into the convolutions first) and the preprocessing, flag by flag.
 *
 * @param net           the prototxt and caffemodel names, for messages
 * @param netDigest     sha-256 of the prototxt's bytes, then the caffemodel's
 * @param folded        calibrated on the folded net
 * @param preprocessing flag name (as on the command line) -> its resolved value
 */
public record StatisticsOrigin(String net, String netDigest, boolean folded, Map<String, String> preprocessing) {

    public StatisticsOrigin {
        preprocessing = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(preprocessing));
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
        for (Map.Entry<String, String> flag : run.preprocessing.entrySet()) {
            String saved = preprocessing.get(flag.getKey());
            if (!Objects.equals(saved, flag.getValue())) {
                return "saved with " + flag.getKey() + " " + (saved == null ? "unset" : saved) + ", this run has "
                        + flag.getValue();
            }
        }
        for (String flag : preprocessing.keySet()) {
            if (!run.preprocessing.containsKey(flag)) {
                return "saved with " + flag + " " + preprocessing.get(flag) + ", this run has none";
            }
        }
        return null;
    }
}
