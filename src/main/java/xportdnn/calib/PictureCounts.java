package xportdnn.calib;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What the second calibration pass saw of the pictures themselves, as counts that merge across shards by adding:
 * how many are grey, how many carry an EXIF orientation, how often the float net gave each class its top score, and
 * by how much its best class beat the second (for a net whose output is one score per class; no classes otherwise).
 *
 * @param images     how many pictures were counted (0: statistics taken without decoding one, e.g. loaded)
 * @param grey       how many of them are grey ({@link xportdnn.data.FloatImage#grey} within
 *                   {@link Calibrator#GREY_TOLERANCE}): one channel, or equal channels
 * @param turned     how many of them carry an EXIF orientation other than 1 ({@link xportdnn.data.FloatImage#turned}:
 *                   phone photos a viewer turns, read as stored)
 * @param topClasses per class, on how many of them the float net scored it highest; empty when the net's output
 *                   is not one score per class
 * @param topMargins per picture, its best class score minus its second best, in the units of the blob the classes
 *                   are read from ({@link Calibrator#classScores}), in ascending order (so that shards merge to the
 *                   same array in any order); empty without classes
 */
public record PictureCounts(int images, int grey, int turned, int[] topClasses, float[] topMargins)
        implements Serializable {

    /** Statistics taken without decoding a picture. */
    public static final PictureCounts NONE = new PictureCounts(0, 0, 0, new int[0], new float[0]);

    public PictureCounts {
        topClasses = topClasses.clone();
        topMargins = topMargins.clone();
        Arrays.sort(topMargins);
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
        float[] margins = Arrays.copyOf(topMargins, topMargins.length + other.topMargins.length);
        System.arraycopy(other.topMargins, 0, margins, topMargins.length, other.topMargins.length);
        return new PictureCounts(images + other.images, grey + other.grey, turned + other.turned, sum, margins);
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

    /** On how many pictures the best class beat the second by less than {@code step}. */
    public int marginsBelow(double step) {
        int n = 0;
        while (n < topMargins.length && topMargins[n] < step) {
            n++;
        }
        return n;
    }

    @Override
    public int[] topClasses() {
        return topClasses.clone();
    }

    @Override
    public float[] topMargins() {
        return topMargins.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PictureCounts p && images == p.images && grey == p.grey && turned == p.turned
                && Arrays.equals(topClasses, p.topClasses) && Arrays.equals(topMargins, p.topMargins);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * images + grey) + turned) + Arrays.hashCode(topClasses))
                + Arrays.hashCode(topMargins);
    }

    @Override
    public String toString() {
        return "PictureCounts[images=" + images + ", grey=" + grey + ", turned=" + turned + ", topClasses="
                + Arrays.toString(topClasses) + ", topMargins=" + Arrays.toString(topMargins) + "]";
    }
}
