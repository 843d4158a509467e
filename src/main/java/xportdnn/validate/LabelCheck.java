package xportdnn.validate;

import java.util.Locale;
import java.util.Optional;

/**
 * The float net's top-1 against the labels of a set, read for signs that the input rather than the net is wrong:
 * labels counted from 1 (the top-1 is the label minus one far more often than the label; Caffe counts classes from
 * 0), or a top-1 no better than guessing (images not preprocessed as the net was trained, or labels that are not
 * its class numbers). Both must stand clear of chance: more hits than guessing gives with three standard deviations
 * to spare, on at least {@link #MIN_IMAGES} images.
 *
 * @param labelled images with a label
 * @param top1     of them, images whose float top-1 is the label
 * @param oneBelow of them, images whose float top-1 is the label minus one
 * @param classes  classes of the scored output
 */
public record LabelCheck(long labelled, long top1, long oneBelow, int classes) {

    /** Fewer images say too little about chance. */
    public static final long MIN_IMAGES = 20;

    /** A warning naming the likely cause, or none. */
    public Optional<String> warning() {
        if (labelled < MIN_IMAGES || classes < 2) {
            return Optional.empty();
        }
        double chance = 1.0 / classes;
        double clear = labelled * chance + 3 * Math.sqrt(labelled * chance * (1 - chance));
        if (oneBelow > clear && oneBelow > 2 * top1) {
            return Optional.of(String.format(Locale.ROOT, "the float net's top-1 is the label minus one on %.1f%% of "
                    + "the %d labelled images, the label itself on %.1f%%: the labels look counted from 1; Caffe's "
                    + "classes count from 0 (label k = output k)", percent(oneBelow), labelled, percent(top1)));
        }
        if (top1 <= clear) {
            return Optional.of(String.format(Locale.ROOT, "the float net's top-1 is %.1f%% on %d labelled images, "
                    + "no better than guessing (1 in %d): the images are probably not preprocessed as the net was "
                    + "trained (--raw_scale, --mean_value/--mean_file, --channel_swap, --input_scale), or the labels "
                    + "are not its class numbers", percent(top1), labelled, classes));
        }
        return Optional.empty();
    }

    private double percent(long count) {
        return 100.0 * count / labelled;
    }
}
