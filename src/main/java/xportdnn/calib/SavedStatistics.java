package xportdnn.calib;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calibration statistics as a file holds them: each layer's output histograms, laid out on the ranges the first
 * pass found over {@code rangeImages}, counting the values of {@code images} (all of them, or one shard).
 *
 * @param source      the file, for messages
 * @param toolVersion the xportdnn version that wrote it
 * @param origin      what the statistics depend on
 * @param rangeImages the images of the first pass, by name in their set
 * @param images      the images counted in the histograms, a subset of {@code rangeImages}
 * @param layers      layer name -> its outputs' range (over {@code rangeImages}) and histograms
 */
public record SavedStatistics(String source, String toolVersion, StatisticsOrigin origin, List<String> rangeImages,
                              List<String> images, Map<String, BlobHistograms> layers) {

    public SavedStatistics {
        rangeImages = List.copyOf(rangeImages);
        images = List.copyOf(images);
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }
}
