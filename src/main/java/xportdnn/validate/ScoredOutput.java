package xportdnn.validate;

import java.io.Serializable;

/**
 * The output blob {@code validate} and {@code compare} score, and what kind of values it holds, which decides how
 * the fixed-point output is scored against the float one. Serializable: Spark tasks score with it.
 *
 * @param blob     the blob's name
 * @param kind     what it holds
 * @param channels values per image for class scores, channels per position for dense scores, else 0
 */
public record ScoredOutput(String blob, Kind kind, int channels) implements Serializable {

    /** What an output blob holds. */
    public enum Kind {
        /** One score per class for each image: top-1/top-5 against labels, top-1 agreement with float. */
        CLASS_SCORES,
        /** SSD DetectionOutput rows: fixed-point detections matched to float's ({@link DetectionAgreement}). */
        DETECTIONS,
        /**
         * A score per channel at each position of an N x C x H x W blob (a segmentation's class map): the top
         * channel per position against float's ({@link DenseAgreement}).
         */
        DENSE_SCORES,
        /** Anything else (an embedding, a regression): the output's SQNR. */
        VALUES
    }

    /** The kind of {@code out}, from its producer and shape. */
    public static ScoredOutput of(OutputBlob out) {
        int[] shape = out.shape();
        if (out.classes() > 0) {
            return new ScoredOutput(out.name(), Kind.CLASS_SCORES, out.classes());
        }
        if (out.isDetection()) {
            return new ScoredOutput(out.name(), Kind.DETECTIONS, 0);
        }
        if (shape.length == 4 && shape[1] > 1 && (long) shape[2] * shape[3] > 1) {
            return new ScoredOutput(out.name(), Kind.DENSE_SCORES, shape[1]);
        }
        return new ScoredOutput(out.name(), Kind.VALUES, 0);
    }

    /** A class-score output of {@code classes} classes. */
    public static ScoredOutput classScores(String blob, int classes) {
        return new ScoredOutput(blob, Kind.CLASS_SCORES, classes);
    }

    /** Whether top-1/top-5 and labels apply. */
    public boolean classifies() {
        return kind == Kind.CLASS_SCORES;
    }
}
