package xportdnn.quant;

import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;

/** Calibration statistics of values a test makes, built with both passes as the calibration run builds them. */
public final class TestStatistics {

    private TestStatistics() {
    }

    public static BlobHistograms of(float... data) {
        ActivationRange r = new ActivationRange();
        r.add(data, 0, data.length);
        BlobHistograms h = new BlobHistograms(r, KlJThreshold.binCount(r));
        h.add(data, 0, data.length);
        return h;
    }
}
