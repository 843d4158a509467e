package xportdnn.calib;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What the second calibration pass saw of the pictures themselves, as counts that merge across shards by adding:
 * how many are grey, how many carry an EXIF orientation, and how often the float net gave each class its top score (for a net whose output is one
 * score per class; no classes otherwise).
 *
 * @param images     how many pictures were counted (0: statistics taken without decoding one, e.g. loaded)
 * @param grey       how many of them are grey ({@link xportdnn.data.FloatImage#grey} within
 *                   {@link Calibrator#GREY_TOLERANCE}): one channel, or equal channels
 * @param turned     how many of them carry an EXIF orientation other than 1 ({@link xportdnn.data.FloatImage#turned}:
 *                   phone photos a viewer turns, read as stored)
 * @param topClasses per class, on how many of them the float net scored it highest; empty when the net's output
 *                   is not one score per class
 */
public record PictureCounts(int images, int grey, int turned, int[] topClasses) implements Serializable {

    /** Statistics taken without decoding a picture. */
    public static final PictureCounts NONE = new PictureCounts(0, 0, 0, new int[0]);

    public PictureCounts {
        topClasses = topClasses.clone();
    }

    /** Both shards' pictures together. */
    public PictureCounts plus(PictureCounts other) {
        if (images == 0) {
            return other;
        }
        if (other.images == 0) {
            return this;
        }
        int[] sum = topClasses.clone();
        for (int c = 0; c < sum.length; c++) {
            sum[c] += other.topClasses[c];
        }
        return new PictureCounts(images + other.images, grey + other.grey, turned + other.turned, sum);
    }

    /** The class most often on top (the lowest of equals), or -1 without classes. */
    public int mostCommonClass() {
        int best = -1;
        for (int c = 0; c < topClasses.length; c++) {
            if (best < 0 || topClasses[c] > topClasses[best]) {
                best = c;
            }
        }
        return best;
    }

    @Override
    public int[] topClasses() {
        return topClasses.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PictureCounts p && images == p.images && grey == p.grey && turned == p.turned
                && Arrays.equals(topClasses, p.topClasses);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * images + grey) + turned) + Arrays.hashCode(topClasses);
    }

    @Override
    public String toString() {
        return "PictureCounts[images=" + images + ", grey=" + grey + ", turned=" + turned + ", topClasses=" + Arrays.toString(topClasses)
                + "]";
    }
}
