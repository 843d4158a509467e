package xportdnn.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.BadImages;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.validate.OutputBlob;
import xportdnn.validate.Prediction;
import xportdnn.validate.SignedRankTest;

/**
 * Whether a colour classifier is calibrated on images in the wrong channel order (e.g. RGB for a net trained on
 * BGR, a wrong {@code --channel_swap}). Such images still look plausible to the net, so nothing else shows it
 * without labels; but a net is surer of what it sees in its training colours. So images of the calibration set run
 * through the float net twice, as given and with the channels the other way round (the mean as given), and the
 * confidence in each image's top class (its log-odds) is compared image by image: a warning when the reversed order
 * is the surer one more than chance allows (a signed-rank test, three standard deviations; 20 images at least).
 * The images are a draw of their own, not the calibration's (8 by default, too few to tell): a net is surer in its
 * training colours on most images of most classes, not on every image of one class.
 */
final class ChannelOrderCheck {

    /** At most this many calibration images are run twice: the test's power at a bounded cost. */
    static final int MAX_IMAGES = 128;

    /** Fewer images say too little. */
    static final int MIN_IMAGES = 20;

    /** How many standard deviations the test must stand from chance. */
    static final double CLEAR = 3;

    private ChannelOrderCheck() {
    }

    /**
     * One warning when the reversed channel order is clearly the surer one on a seeded draw of up to
     * {@link #MAX_IMAGES} readable images of the calibration {@code set}, else none: also none for a grey net, for a
     * net whose output is not one score per class, with fewer than {@link #MIN_IMAGES} images, or when the images
     * are not this machine's files (read by Spark executors).
     *
     * @param transformer the calibration's preprocessing
     * @param batchSize   images per forward pass
     */
    static List<Notice> of(Net net, ImageSet set, Transformer transformer, int batchSize, FloatPasses passes,
                           Progress progress) {
        Preprocessing given = transformer.settings();
        if (set == null || !passes.imageStore().local() || !given.color() || set.entries().size() < MIN_IMAGES) {
            return List.of();
        }
        FloatEngine engine = new FloatEngine(net);
        OutputBlob scores = OutputBlob.choose(net, engine, null);
        if (scores.classes() < 2) {
            return List.of();
        }
        List<ImageSet.Entry> images = CalibrationSample.select(set, MAX_IMAGES, CalibrationSample.DEFAULT_SEED, null)
                .parallelStream().filter(image -> BadImages.error(image, true) == null).toList();
        if (images.size() < MIN_IMAGES) {
            return List.of();
        }
        int[] reversedSwap = reversed(given.channelSwap());
        double[] difference;
        try (Progress.Step step = progress.start("checking the channel order", 2L * images.size())) {
            Boolean[] logits = {null};
            double[] asGiven = logOdds(engine, transformer, images, scores, batchSize, logits, step);
            double[] asReversed = logOdds(engine, new Transformer(given.withChannelSwap(reversedSwap)), images,
                    scores, batchSize, logits, step);
            difference = new double[images.size()];
            Arrays.setAll(difference, i -> asReversed[i] - asGiven[i]);
        }
        SignedRankTest test = SignedRankTest.of(difference);
        if (test.nonzero() < MIN_IMAGES || test.z() <= CLEAR) {
            return List.of();
        }
        return List.of(Notice.warning(String.format(Locale.ROOT, "the float net is surer of its top class with the "
                + "colour channels the other way round (--channel_swap %s instead of %s) on %d of %d images of the "
                + "calibration set (signed-rank test: %.1f standard deviations): the images look given in the wrong "
                + "channel order; check --channel_swap, and that --mean_value/--mean_file are in the net's channel "
                + "order", Preprocessing.list(reversedSwap), Preprocessing.list(given.channelSwap()), test.positive(),
                images.size(), test.z())));
    }

    /** Each image's {@link Prediction#topLogOdds}; {@code logits[0]} decided on the first batch seen. */
    private static double[] logOdds(FloatEngine engine, Transformer transformer, List<ImageSet.Entry> images,
                                    OutputBlob scores, int batchSize, Boolean[] logits, Progress.Step step) {
        int classes = scores.classes();
        double[] odds = new double[images.size()];
        Batches.run(images, transformer, batchSize, (batch, n, first) -> {
            float[] rows = Tensors.floats(BlobCapture.forward(engine, batch, n, scores.name(), null));
            if (logits[0] == null) {
                logits[0] = !Prediction.isDistribution(rows, n, classes);
            }
            for (int i = 0; i < n; i++) {
                odds[first + i] = Prediction.topLogOdds(rows, i * classes, classes, logits[0]);
            }
        }, step);
        return odds;
    }

    /** The channel order read the other way round: the first channel the swap takes becomes the last. */
    private static int[] reversed(int[] swap) {
        int[] r = new int[swap.length];
        Arrays.setAll(r, i -> swap[swap.length - 1 - i]);
        return r;
    }
}
