package xportdnn.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.FloatImage;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ModelException;
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
 *
 * <p>The test is sequential: the drawn images are read in a seeded random order, and at every {@link #LOOK_EVERY}
 * images from {@link #FIRST_LOOK} on it stops once the answer is clear: without a warning when the given order is
 * already the surer by {@link #GIVEN_CLEAR} standard deviations, with one when the reversed order is by
 * {@link #EARLY_WARNING} (a Haybittle-Peto bound, so early looks add next to nothing to the chance of a false
 * warning). Else all {@link #MAX_IMAGES} are read and the fixed test decides, as before. The bounds were chosen on a
 * simulation of the test (tools/channel_order_stopping.py), not on any net: of the wrong orders that reading all images would warn about, stopping
 * early misses fewer than 1 in 1,000, whatever the effect's size, and a net without a preferred order is warned
 * about as rarely as before (0.13%); a net with a clear preference (3.5 standard deviations or more at 128 images)
 * stops after 32 to 48 images on average.
 */
final class ChannelOrderCheck {

    /** At most this many calibration images are run twice: the test's power at a bounded cost. */
    static final int MAX_IMAGES = 128;

    /** Fewer images say too little. */
    static final int MIN_IMAGES = 20;

    /** How many standard deviations the test must stand from chance, on all the images read. */
    static final double CLEAR = 3;

    /** The first image count at which the test may stop early, and the step between such looks. */
    static final int FIRST_LOOK = 32;
    static final int LOOK_EVERY = 16;

    /** At a look: this many standard deviations to the given order's side end the test without a warning. */
    static final double GIVEN_CLEAR = 1.5;

    /** At a look before the last: this many standard deviations to the reversed order's side warn at once. */
    static final double EARLY_WARNING = 4;

    /** The verdict and how many images it took (for tests: the point of stopping early). */
    record Outcome(List<Notice> notices, int images) {
    }

    private ChannelOrderCheck() {
    }

    /**
     * One warning when the reversed channel order is clearly the surer one on a seeded draw of up to
     * {@link #MAX_IMAGES} images of the calibration {@code set} (those that do not decode left out), else none:
     * also none for a grey net, for a net whose output is not one score per class, with fewer than
     * {@link #MIN_IMAGES} images, or when the images are not this machine's files (read by Spark executors).
     *
     * @param transformer the calibration's preprocessing
     * @param batchSize   images per forward pass
     */
    static List<Notice> of(Net net, ImageSet set, Transformer transformer, int batchSize, FloatPasses passes,
                           Progress progress) {
        if (set == null || !passes.imageStore().local() || !transformer.settings().color()
                || set.entries().size() < MIN_IMAGES) {
            return List.of();
        }
        OutputBlob scores = OutputBlob.choose(net, null);
        if (scores.classes() < 2) {
            return List.of();
        }
        try (FloatEngine engine = new FloatEngine(net)) {
            return of(engine, scores, set, "the calibration set", transformer, batchSize, progress);
        }
    }

    /**
     * As {@link #of(Net, ImageSet, Transformer, int, FloatPasses, Progress)} with the float net's engine and class
     * scores given, on this machine's images of {@code set} (named {@code setName} in the warning).
     */
    static List<Notice> of(FloatEngine engine, OutputBlob scores, ImageSet set, String setName,
                           Transformer transformer, int batchSize, Progress progress) {
        return run(engine, scores, set, setName, transformer, batchSize, progress).notices();
    }

    /** {@link #of(FloatEngine, OutputBlob, ImageSet, String, Transformer, int, Progress)}, with the images read. */
    static Outcome run(FloatEngine engine, OutputBlob scores, ImageSet set, String setName, Transformer transformer,
                       int batchSize, Progress progress) {
        Preprocessing given = transformer.settings();
        if (!given.color() || set.entries().size() < MIN_IMAGES || scores.classes() < 2) {
            return new Outcome(List.of(), 0);
        }
        List<ImageSet.Entry> drawn = new ArrayList<>(CalibrationSample.select(set, MAX_IMAGES,
                CalibrationSample.DEFAULT_SEED, null));
        // the draw comes sorted by name (a set sorted by class gives one class first): each look's images must be
        // a draw of their own
        Collections.shuffle(drawn, new Random(CalibrationSample.DEFAULT_SEED));
        int[] reversedSwap = reversed(given.channelSwap());
        Transformer reversed = new Transformer(given.withChannelSwap(reversedSwap));
        List<Double> differences = new ArrayList<>();
        int read = 0;
        try (Progress.Step step = progress.start("checking the channel order", drawn.size())) {
            Boolean[] logits = {null};
            int look = FIRST_LOOK;
            while (read < drawn.size()) {
                int end = Math.min(Math.min(read + batchSize, look), drawn.size()); // a batch ends at a look
                List<FloatImage> images = readable(drawn.subList(read, end));
                double[] asGiven = logOdds(engine, transformer, images, scores, logits);
                double[] asReversed = logOdds(engine, reversed, images, scores, logits);
                for (int i = 0; i < images.size(); i++) {
                    differences.add(asReversed[i] - asGiven[i]);
                }
                step.accept(end - read);
                read = end;
                if (read == look && read < drawn.size()) {
                    look += LOOK_EVERY;
                    if (clearEarly(test(differences))) {
                        break;
                    }
                }
            }
            step.accept(drawn.size() - read); // the images a clear answer left unread: the step is done
        }
        SignedRankTest test = test(differences);
        if (test.nonzero() < MIN_IMAGES || test.z() <= CLEAR) {
            return new Outcome(List.of(), read);
        }
        return new Outcome(List.of(Notice.warning(String.format(Locale.ROOT, "the float net is surer of its top class "
                + "with the colour channels the other way round (--channel_swap %s instead of %s) on %d of %d images "
                + "of %s (signed-rank test: %.1f standard deviations): the images look given in the wrong channel "
                + "order; check --channel_swap, and that --mean_value/--mean_file are in the net's channel order",
                Preprocessing.list(reversedSwap), Preprocessing.list(given.channelSwap()), test.positive(),
                differences.size(), setName, test.z()))), read);
    }

    /** Whether a look before the last settles the answer (see the class comment). */
    private static boolean clearEarly(SignedRankTest test) {
        return test.nonzero() >= MIN_IMAGES && (test.z() <= -GIVEN_CLEAR || test.z() >= EARLY_WARNING);
    }

    private static SignedRankTest test(List<Double> differences) {
        return SignedRankTest.of(differences.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The images that decode, each decoded once (in parallel) for both orders; the others are left out. */
    private static List<FloatImage> readable(List<ImageSet.Entry> entries) {
        return entries.parallelStream().map(entry -> {
            try {
                return entry.load(true);
            } catch (ModelException e) {
                return null;
            }
        }).filter(Objects::nonNull).toList();
    }

    /** Each image's {@link Prediction#topLogOdds}, in one pass; {@code logits[0]} decided on the first pass. */
    private static double[] logOdds(FloatEngine engine, Transformer transformer, List<FloatImage> images,
                                    OutputBlob scores, Boolean[] logits) {
        int n = images.size();
        if (n == 0) {
            return new double[0];
        }
        int size = transformer.size();
        float[] batch = new float[n * size];
        IntStream.range(0, n).parallel().forEach(i -> transformer.preprocess(images.get(i), batch, i * size));
        int classes = scores.classes();
        float[] rows = Tensors.floats(BlobCapture.forward(engine, batch, n, scores.name(), null));
        if (logits[0] == null) {
            logits[0] = !Prediction.isDistribution(rows, n, classes);
        }
        double[] odds = new double[n];
        Arrays.setAll(odds, i -> Prediction.topLogOdds(rows, i * classes, classes, logits[0]));
        return odds;
    }

    /** The channel order read the other way round: the first channel the swap takes becomes the last. */
    private static int[] reversed(int[] swap) {
        int[] r = new int[swap.length];
        Arrays.setAll(r, i -> swap[swap.length - 1 - i]);
        return r;
    }
}
