package xportdnn.calib;

import java.util.Map;

/**
 * What the second calibration pass measured: every layer's histograms, and what it saw of the pictures themselves
 * as they were decoded and classified for it (counts that merge across shards by adding).
 *
 * @param layers   per layer name, its outputs' range and histograms
 * @param pictures the grey pictures, and the float net's top classes
 */
public record CalibrationHistograms(Map<String, BlobHistograms> layers, PictureCounts pictures) {
}
