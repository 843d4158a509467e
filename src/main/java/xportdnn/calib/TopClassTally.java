package xportdnn.calib;

import java.util.Arrays;

/**
 * The float net's verdict on each calibration image, tallied batch by batch as the calibration runs it: per class,
 * on how many images it scores highest (the lowest of equals), and per image by how much that best score beats the
 * second (with one class: no margin). Also {@code validate}'s float net's verdicts on the scored images.
 */
public final class TopClassTally {

    private final int classes;
    private final int[] counts;
    private float[] margins = new float[64];
    private int images;

    public TopClassTally(int classes) {
        this.classes = classes;
        this.counts = new int[classes];
    }

    /** A batch's N x K scores, image after image. */
    public void add(float[] scores) {
        for (int start = 0; start < scores.length; start += classes) {
            int best = start;
            float second = Float.NEGATIVE_INFINITY;
            for (int i = start + 1; i < start + classes; i++) {
                if (scores[i] > scores[best]) {
                    second = scores[best];
                    best = i;
                } else if (scores[i] > second) {
                    second = scores[i];
                }
            }
            counts[best - start]++;
            if (images == margins.length) {
                margins = Arrays.copyOf(margins, 2 * images);
            }
            margins[images++] = scores[best] - second;
        }
    }

    int[] counts() {
        return counts.clone();
    }

    float[] margins() {
        return Arrays.copyOf(margins, images);
    }

    /** The verdicts as {@link PictureCounts} of pictures not looked at otherwise (none counted grey or turned). */
    public PictureCounts verdicts() {
        return new PictureCounts(images, 0, 0, counts(), margins());
    }
}
