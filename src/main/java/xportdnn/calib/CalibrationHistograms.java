package xportdnn.calib;

import java.util.Map;

/**
 * What the second calibration pass measured: every layer's histograms, and a statistic of the pictures themselves
 * taken as they were decoded for it, a count that merges across shards by adding.
 *
 * @param layers     per layer name, its outputs' range and histograms
 * @param greyImages how many of the images are grey ({@link xportdnn.data.FloatImage#grey} within
 *                   {@link Calibrator#GREY_TOLERANCE}): one channel, or equal channels
 */
public record CalibrationHistograms(Map<String, BlobHistograms> layers, int greyImages) {
}
