package xportdnn.validate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import xportdnn.calib.PictureCounts;

/**
 * Float-versus-fixed scores accumulated over a labelled set: top-1/top-5 of both, how often their top-1 agree,
 * and per layer the energy of the float output and of the fixed-point error, from which the signal-to-
 * quantization-noise ratio follows. Two shards' validations {@link #merge merge} exactly.
 *
 * <p>Serializable: Spark tasks return it to the driver ({@code --spark}).
 */
public final class Validation implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Per layer: energy of the float output, energy of (fixed - float), number of values. */
    public record LayerError(String name, double signal, double noise, long count) implements Serializable {

        /** 10 log10(signal / noise); +infinity when the fixed output is exact. */
        public double sqnrDb() {
            return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
        }

        /** The errors of the first {@code length} values of {@code fixed} against those of {@code reference}. */
        static LayerError between(String name, float[] reference, float[] fixed, int length) {
            double s = 0;
            double n = 0;
            for (int i = 0; i < length; i++) {
                double r = reference[i];
                double d = fixed[i] - r;
                s += r * r;
                n += d * d;
            }
            return new LayerError(name, s, n, length);
        }

        LayerError plus(LayerError o) {
            return new LayerError(name, signal + o.signal, noise + o.noise, count + o.count);
        }
    }

    /** Top-1/top-5 hits of one side over the labelled images. */
    public record Accuracy(long top1, long top5, long labelled) {

        public double top1Rate() {
            return labelled == 0 ? Double.NaN : top1 / (double) labelled;
        }

        public double top5Rate() {
            return labelled == 0 ? Double.NaN : top5 / (double) labelled;
        }
    }

    /**
     * The top-1 drop (float rate minus fixed rate, as a fraction) with its 95% confidence interval. Both nets score
     * the same images, so only the images exactly one of them gets right carry information: the interval is the
     * paired (Wald) one for a difference of proportions, from those two counts. It shows whether a drop measured
     * on a few hundred images is distinguishable from zero, or from a target.
     *
     * @param floatOnly images whose float top-1 is right and fixed top-1 wrong
     * @param fixedOnly the other way round
     */
    public record TopOneDrop(double drop, double low, double high, long floatOnly, long fixedOnly, long labelled) {

        static final double Z95 = 1.959964;

        static TopOneDrop of(long floatOnly, long fixedOnly, long labelled) {
            if (labelled == 0) {
                return new TopOneDrop(Double.NaN, Double.NaN, Double.NaN, floatOnly, fixedOnly, 0);
            }
            double n = labelled;
            double drop = (floatOnly - fixedOnly) / n;
            double variance = ((floatOnly + fixedOnly) / n - drop * drop) / n;
            double half = Z95 * Math.sqrt(Math.max(0, variance));
            return new TopOneDrop(drop, drop - half, drop + half, floatOnly, fixedOnly, labelled);
        }
    }

    private final Map<String, LayerError> layers = new LinkedHashMap<>();
    private long images;
    private long labelled;
    private long agreeing;
    private final long[] floatHits = new long[2];
    private final long[] fixedHits = new long[2];
    private long floatOnlyTop1;
    private long fixedOnlyTop1;
    /** Labelled images whose float top-1 is the label minus one ({@link LabelCheck}). */
    private long floatOneBelow;
    private int classes;
    private long floatTiedTop;
    private long fixedTiedTop;
    /** Images whose file carries an EXIF orientation other than 1 (read as stored). */
    private long turned;
    /**
     * The float net's verdict on each scored image (its top classes and top-2 margins before a final Softmax; no
     * picture counted grey or turned), for the class-score step check; none without class scores.
     */
    private PictureCounts floatVerdicts = PictureCounts.NONE;
    /** Per average pooling (in net order), the images on which one of its pooled codes wrapped around. */
    private final Map<String, Long> wrappedAverages = new LinkedHashMap<>();
    /** The scored output's errors over the images (null before any, and for detections, whose rows do not align). */
    private LayerError output;
    /** For a detector's output, its fixed-point detections against float's; else null. */
    private DetectionAgreement detections;
    /** For a dense output (N x C x H x W), its top channel per position against float's; else null. */
    private DenseAgreement dense;

    /** Adds one layer's float and fixed outputs for the same images (equal lengths). */
    public void addLayer(String name, float[] reference, float[] fixed) {
        if (reference.length != fixed.length) {
            throw new IllegalArgumentException("layer " + name + ": " + reference.length + " float values but "
                    + fixed.length + " fixed ones");
        }
        addLayer(LayerError.between(name, reference, fixed, reference.length));
    }

    /** Adds one layer's errors on some images. */
    void addLayer(LayerError errors) {
        layers.merge(errors.name(), errors, LayerError::plus);
    }

    /** Adds the images of some pass on which average pooling {@code layer} wrapped a pooled code around. */
    public void addWrappedAverages(String layer, long images) {
        wrappedAverages.merge(layer, images, Long::sum);
    }

    /**
     * Adds one image's scored output from both nets, scored as its kind asks; {@code label} counts for class
     * scores only. Its errors are added by batch ({@link #addOutputError}).
     */
    public void addOutput(ScoredOutput scored, OptionalInt label, float[] floatValues, float[] fixedValues) {
        switch (scored.kind()) {
            case CLASS_SCORES -> addImage(label, floatValues, fixedValues);
            case DETECTIONS -> {
                images++;
                if (detections == null) {
                    detections = new DetectionAgreement();
                }
                detections.add(floatValues, fixedValues);
            }
            case DENSE_SCORES -> {
                images++;
                if (dense == null) {
                    dense = new DenseAgreement(scored.channels());
                }
                dense.add(floatValues, fixedValues);
            }
            case VALUES -> images++;
        }
    }

    /**
     * Adds the scored output's errors on some images: a batch's at once, as the layers' errors are added, so that
     * batches scored apart (Spark) sum as one machine sums them.
     */
    public void addOutputError(String blob, float[] floatValues, float[] fixedValues) {
        if (floatValues.length != fixedValues.length) {
            throw new IllegalArgumentException("output " + blob + ": " + floatValues.length + " float values but "
                    + fixedValues.length + " fixed ones");
        }
        LayerError e = LayerError.between(blob, floatValues, fixedValues, floatValues.length);
        output = output == null ? e : output.plus(e);
    }

    /** Adds one image's class scores from both nets and its label, if known. */
    public void addImage(OptionalInt label, float[] floatScores, float[] fixedScores) {
        images++;
        classes = floatScores.length;
        Prediction f = top5(floatScores);
        Prediction q = top5(fixedScores);
        if (f.classes()[0] == q.classes()[0]) {
            agreeing++;
        }
        if (tiedTop(f)) {
            floatTiedTop++;
        }
        if (tiedTop(q)) {
            fixedTiedTop++;
        }
        if (label.isPresent()) {
            labelled++;
            boolean floatRight = count(floatHits, f.classes(), label.getAsInt());
            boolean fixedRight = count(fixedHits, q.classes(), label.getAsInt());
            if (f.top1() == label.getAsInt() - 1) {
                floatOneBelow++;
            }
            if (floatRight && !fixedRight) {
                floatOnlyTop1++;
            } else if (fixedRight && !floatRight) {
                fixedOnlyTop1++;
            }
        }
    }

    private static Prediction top5(float[] scores) {
        return Prediction.rank(scores, 0, scores.length, 5, false);
    }

    /**
     * Whether two or more classes share the top score. A fixed-point output whose step is coarse next to the gaps
     * between class scores ties often; the top-1 is then decided by the class order (the lower id), not the net.
     */
    private static boolean tiedTop(Prediction p) {
        double[] scores = p.probabilities();
        return scores.length > 1 && scores[0] == scores[1];
    }

    /** Counts the top-1 and top-5 hits of one ranking; returns whether its top-1 is right. */
    private static boolean count(long[] hits, int[] top, int label) {
        boolean top1 = top[0] == label;
        if (top1) {
            hits[0]++;
        }
        for (int i = 0; i < top.length; i++) {
            if (top[i] == label) {
                hits[1]++;
                break;
            }
        }
        return top1;
    }

    /** Adds the float net's verdicts on some scored images. */
    public void addFloatVerdicts(PictureCounts verdicts) {
        floatVerdicts = floatVerdicts.plus(verdicts);
    }

    /** The float net's verdicts on the scored images ({@link #addFloatVerdicts}). */
    public PictureCounts floatVerdicts() {
        return floatVerdicts;
    }

    /** One scored image's file carries an EXIF orientation other than 1 ({@link xportdnn.data.FloatImage#turned}). */
    public void addTurned() {
        turned++;
    }

    /** How many of the scored images' files carry an EXIF orientation other than 1. */
    public long turned() {
        return turned;
    }

    public void merge(Validation other) {
        other.layers.values().forEach(e -> layers.merge(e.name(), e, LayerError::plus));
        images += other.images;
        labelled += other.labelled;
        agreeing += other.agreeing;
        floatOnlyTop1 += other.floatOnlyTop1;
        fixedOnlyTop1 += other.fixedOnlyTop1;
        floatOneBelow += other.floatOneBelow;
        classes = Math.max(classes, other.classes);
        floatTiedTop += other.floatTiedTop;
        fixedTiedTop += other.fixedTiedTop;
        turned += other.turned;
        floatVerdicts = floatVerdicts.plus(other.floatVerdicts);
        other.wrappedAverages.forEach(this::addWrappedAverages);
        if (other.output != null) {
            output = output == null ? other.output : output.plus(other.output);
        }
        if (other.detections != null) {
            if (detections == null) {
                detections = new DetectionAgreement();
            }
            detections.merge(other.detections);
        }
        if (other.dense != null) {
            if (dense == null) {
                dense = new DenseAgreement(other.dense.channels());
            }
            dense.merge(other.dense);
        }
        for (int i = 0; i < 2; i++) {
            floatHits[i] += other.floatHits[i];
            fixedHits[i] += other.fixedHits[i];
        }
    }

    public long images() {
        return images;
    }

    public Accuracy floatAccuracy() {
        return new Accuracy(floatHits[0], floatHits[1], labelled);
    }

    /** The float top-1 against the labels, for signs of a wrong input ({@link LabelCheck}). */
    public LabelCheck floatLabelCheck() {
        return new LabelCheck(labelled, floatHits[0], floatOneBelow, classes);
    }

    public Accuracy fixedAccuracy() {
        return new Accuracy(fixedHits[0], fixedHits[1], labelled);
    }

    /** The top-1 drop over the labelled images with its paired 95% interval. */
    public TopOneDrop topOneDrop() {
        return TopOneDrop.of(floatOnlyTop1, fixedOnlyTop1, labelled);
    }

    /** Fraction of images whose fixed top-1 equals the float top-1. */
    public double top1Agreement() {
        return images == 0 ? Double.NaN : agreeing / (double) images;
    }

    /** Images whose float class scores have two or more classes at the top. */
    public long floatTiedTop() {
        return floatTiedTop;
    }

    /** Images whose fixed-point class scores have two or more classes at the top (see {@link #tiedTop}). */
    public long fixedTiedTop() {
        return fixedTiedTop;
    }

    /**
     * Per average pooling that wrapped a pooled code around on some image (in net order), the number of such
     * images: the device writes the low bits of an average out of its code's range, so those images' scores are
     * garbage on the device too (the simulation computes them as it does).
     */
    public Map<String, Long> wrappedAverages() {
        Map<String, Long> some = new LinkedHashMap<>();
        wrappedAverages.forEach((layer, images) -> {
            if (images > 0) {
                some.put(layer, images);
            }
        });
        return some;
    }

    /**
     * One sentence per layer of {@link #wrappedAverages}, for every report of a validation to say alike: the layer,
     * its images (and their share) and what a wrapped code means on the device.
     */
    public List<String> wrappedAverageNotes() {
        List<String> notes = new ArrayList<>();
        wrappedAverages().forEach((layer, n) -> notes.add(String.format(Locale.ROOT, "layer '%s' wrapped a pooled "
                + "code around in %d images (%.2f%%): the device writes the low bits of an average beyond its output "
                + "format's range, so a large score comes out small or negative there too", layer, n,
                100.0 * n / images)));
        return notes;
    }

    /** The scored output's errors over the images; null before any and for detections. */
    public LayerError outputError() {
        return output;
    }

    /** A detector's fixed-point detections against float's; null for other outputs. */
    public DetectionAgreement detections() {
        return detections;
    }

    /** A dense output's top channel per position against float's; null for other outputs. */
    public DenseAgreement dense() {
        return dense;
    }

    /** Per-layer errors in the order layers were first added (net order). */
    public List<LayerError> layers() {
        return new ArrayList<>(layers.values());
    }
}
