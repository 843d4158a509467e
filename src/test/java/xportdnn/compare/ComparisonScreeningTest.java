package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Predicate;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.CalibrationHistograms;
import xportdnn.calib.ChannelStatistics;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.model.Net;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.FloatPasses;
import xportdnn.pipeline.ValidationJob;

/**
 * {@code compare --skip_bad_images} screens each image set once: the calibration images serve both the calibration
 * and bfp's per-channel passes, listed and screened once.
 */
class ComparisonScreeningTest {

    /** The passes of this JVM, counting the images each screening is handed and the text files read. */
    private static final class CountingPasses implements FloatPasses {
        final List<Integer> screened = new ArrayList<>();
        final List<String> read = new ArrayList<>();

        @Override
        public ImageStore imageStore() {
            ImageStore local = HERE.imageStore();
            return new ImageStore() {
                @Override
                public boolean isFolder(String location) {
                    return local.isFolder(location);
                }

                @Override
                public boolean isFile(String location) {
                    return local.isFile(location);
                }

                @Override
                public SortedMap<String, String> files(String folder, Predicate<String> take) {
                    return local.files(folder, take);
                }

                @Override
                public List<String> lines(String file) {
                    read.add(file);
                    return local.lines(file);
                }

                @Override
                public String sibling(String file, String relative) {
                    return local.sibling(file, relative);
                }

                @Override
                public ImageSet.Pixels pixels(String file) {
                    return local.pixels(file);
                }

                @Override
                public ImageSet records(String file, Path labels) {
                    return local.records(file, labels);
                }
            };
        }

        @Override
        public BadImages.Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip) {
            screened.add(images.size());
            return HERE.screen(images, transformer, skip);
        }

        @Override
        public CalibrationHistograms calibrate(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                               int batch, IntConsumer progress) {
            return HERE.calibrate(net, images, transformer, batch, progress);
        }

        @Override
        public CalibrationHistograms histograms(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                                int batch, Map<String, ActivationRange> ranges,
                                                IntConsumer progress) {
            return HERE.histograms(net, images, transformer, batch, ranges, progress);
        }

        @Override
        public Map<String, ChannelStatistics> channelStatistics(Net net, List<ImageSet.Entry> images,
                                                                Transformer transformer, int batch,
                                                                Set<String> layers, IntConsumer progress) {
            return HERE.channelStatistics(net, images, transformer, batch, layers, progress);
        }

        @Override
        public Validated validate(ValidationJob job, List<ImageSet.Entry> images, IntConsumer progress) {
            return HERE.validate(job, images, progress);
        }
    }

    @Test
    void aBfpComparisonScreensTheCalibrationImagesOnce() {
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        CalibrationSettings calibration = new CalibrationSettings("examples/tinynet/images", 4, 1L, null, 8, mean,
                true);
        CompareSettings settings = new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), "examples/tinynet/val.txt", null, 6, 1L, calibration,
                SchemeSpec.parseList("naive:8,bfp:8"), 8);
        CountingPasses passes = new CountingPasses();
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE);
        assertEquals(4, result.calibrationImages());
        assertEquals(6, result.images());
        // the 6 scored images and the 4 calibration images, each set once
        assertEquals(List.of(4, 6), passes.screened);
    }

    /** One list scored and calibrated on: read once, its calibration draw left out of the scored images. */
    @Test
    void aListScoredAndCalibratedOnIsReadOnce() {
        String list = "examples/tinynet/val.txt";
        PreprocessingFlags mean = new PreprocessingFlags(null, null, null, 1f, new float[] {128, 128, 128}, null, 1f);
        CompareSettings settings = new CompareSettings(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), list, null, null, 1L,
                new CalibrationSettings(list, 4, 1L, null, 8, mean, true), SchemeSpec.parseList("naive:8"), 8);
        CountingPasses passes = new CountingPasses();
        Comparison.Result result = Comparison.run(settings, passes, Progress.NONE);
        assertEquals(List.of(list), passes.read);
        assertEquals(4, result.calibrationImages());
        assertEquals(60 - 4, result.images());
    }
}
