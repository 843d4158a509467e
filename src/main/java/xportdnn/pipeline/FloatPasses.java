package xportdnn.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.CalibrationHistograms;
import xportdnn.calib.Calibrator;
import xportdnn.calib.ChannelStatistics;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.quant.KlJThreshold;
import xportdnn.validate.Validation;

/**
 * Where the passes over many images run: in this JVM ({@link #HERE}), or spread over a cluster (xportdnn.spark,
 * with {@code --spark}). Whatever runs them returns what {@link #HERE} returns for the same images, to the bit.
 */
public interface FloatPasses {

    /** A validation's scores and, per compared layer, a sample of its float output on the first image. */
    record Validated(Validation validation, Map<String, float[]> samples) {
    }

    /** Where the image sets are listed and their files read: this machine, or what the executors read. */
    ImageStore imageStore();

    /**
     * {@code --skip_bad_images}: when {@code skip}, the images without those that cannot be read (as
     * {@link BadImages#screen} on this machine), else all of them, nothing read.
     */
    BadImages.Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip);

    /**
     * Both calibration passes: each layer output's range, then its histograms laid out on it (and how many of the
     * images are grey, counted as the second pass decodes them).
     */
    CalibrationHistograms calibrate(Net net, List<ImageSet.Entry> images, Transformer transformer, int batch,
                                          IntConsumer progress);

    /** The second calibration pass alone: histograms laid out on {@code ranges}. */
    CalibrationHistograms histograms(Net net, List<ImageSet.Entry> images, Transformer transformer, int batch,
                                           Map<String, ActivationRange> ranges, IntConsumer progress);

    /**
     * Both per-channel calibration passes ({@link ChannelStatistics}) of the first output of each layer in
     * {@code layers}.
     */
    Map<String, ChannelStatistics> channelStatistics(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                                     int batch, Set<String> layers, IntConsumer progress);

    /** Scores the images with the job's float net and simulator side by side. */
    Validated validate(ValidationJob job, List<ImageSet.Entry> images, IntConsumer progress);

    /** Whether the passes run in this JVM, where what one pass computes can be kept for the next. */
    default boolean inThisJvm() {
        return false;
    }

    /** The passes in this JVM, batch after batch. */
    FloatPasses HERE = new FloatPasses() {
        @Override
        public boolean inThisJvm() {
            return true;
        }

        @Override
        public ImageStore imageStore() {
            return ImageStore.LOCAL;
        }

        @Override
        public BadImages.Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip) {
            return BadImages.screen(images, transformer, skip);
        }

        @Override
        public CalibrationHistograms calibrate(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                               int batch, IntConsumer progress) {
            try (FloatEngine engine = new FloatEngine(net)) {
                return new Calibrator(engine, transformer, batch).calibrate(images, KlJThreshold::binCount, progress);
            }
        }

        @Override
        public CalibrationHistograms histograms(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                                int batch, Map<String, ActivationRange> ranges,
                                                IntConsumer progress) {
            try (FloatEngine engine = new FloatEngine(net)) {
                return new Calibrator(engine, transformer, batch).histograms(images, ranges, KlJThreshold::binCount,
                        progress);
            }
        }

        @Override
        public Map<String, ChannelStatistics> channelStatistics(Net net, List<ImageSet.Entry> images,
                                                                Transformer transformer, int batch,
                                                                Set<String> layers, IntConsumer progress) {
            try (FloatEngine engine = new FloatEngine(net)) {
                return new Calibrator(engine, transformer, batch).channelStatistics(images, layers, progress);
            }
        }

        @Override
        public Validated validate(ValidationJob job, List<ImageSet.Entry> images, IntConsumer progress) {
            var validator = job.validator();
            Validation validation = validator.run(images, progress);
            return new Validated(validation, validator.samples());
        }
    };
}
