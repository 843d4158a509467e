package xportdnn.validate;

import java.io.Serializable;

/**
 * How often a dense output's top channel at a position (a segmentation's class of a pixel) is the same in fixed
 * point as in float, accumulated over images, and per channel the intersection over union of the positions each
 * net gives it (float's standing as the ground truth), averaged over the channels either net gives some position:
 * a segmentation's mean IoU against float. Ties go to the lower channel, as in the class scores' ranking. Two
 * shards' agreements {@link #merge} exactly.
 */
public final class DenseAgreement implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int channels;
    private long positions;
    private long agreeing;
    /** Per channel: positions where both nets put it on top. */
    private final long[] both;
    /** Per channel: positions where the float net puts it on top. */
    private final long[] floatTop;
    /** Per channel: positions where the fixed-point net puts it on top. */
    private final long[] fixedTop;

    public DenseAgreement(int channels) {
        if (channels < 2) {
            throw new IllegalArgumentException(channels + " channels");
        }
        this.channels = channels;
        this.both = new long[channels];
        this.floatTop = new long[channels];
        this.fixedTop = new long[channels];
    }

    /** Adds one image's values of both nets: {@code channels} planes of equal size, in C order. */
    public void add(float[] floatValues, float[] fixedValues) {
        if (floatValues.length != fixedValues.length || floatValues.length % channels != 0) {
            throw new IllegalArgumentException(floatValues.length + " float values, " + fixedValues.length
                    + " fixed ones, " + channels + " channels");
        }
        int plane = floatValues.length / channels;
        for (int p = 0; p < plane; p++) {
            int f = top(floatValues, p, plane);
            int q = top(fixedValues, p, plane);
            floatTop[f]++;
            fixedTop[q]++;
            if (f == q) {
                both[f]++;
                agreeing++;
            }
        }
        positions += plane;
    }

    /** The channel with the largest value at position {@code p} (the lowest of tied ones). */
    private int top(float[] values, int p, int plane) {
        int best = 0;
        for (int c = 1; c < channels; c++) {
            if (values[c * plane + p] > values[best * plane + p]) {
                best = c;
            }
        }
        return best;
    }

    public void merge(DenseAgreement o) {
        if (o.channels != channels) {
            throw new IllegalArgumentException(o.channels + " channels merged into " + channels);
        }
        positions += o.positions;
        agreeing += o.agreeing;
        for (int c = 0; c < channels; c++) {
            both[c] += o.both[c];
            floatTop[c] += o.floatTop[c];
            fixedTop[c] += o.fixedTop[c];
        }
    }

    public int channels() {
        return channels;
    }

    public long positions() {
        return positions;
    }

    /** The share of positions whose top channel is the same in both nets (NaN before any). */
    public double agreement() {
        return positions == 0 ? Double.NaN : agreeing / (double) positions;
    }

    /** The mean over channels either net puts on top somewhere of their IoU (NaN before any position). */
    public double meanIoU() {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < channels; c++) {
            long union = floatTop[c] + fixedTop[c] - both[c];
            if (union > 0) {
                sum += both[c] / (double) union;
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    /** How many channels either net puts on top at some position. */
    public int presentChannels() {
        int present = 0;
        for (int c = 0; c < channels; c++) {
            if (floatTop[c] + fixedTop[c] > 0) {
                present++;
            }
        }
        return present;
    }
}
