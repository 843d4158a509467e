package xportdnn.quant;

import xportdnn.calib.BlobHistograms;

/** The largest |x| seen: nothing is clipped, at the cost of resolution. */
final class MaxThreshold implements ThresholdMethod {

    @Override
    public String name() {
        return "max";
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        return stats.range().maxAbs();
    }
}
