package xportdnn.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.calib.Calibrator;
import xportdnn.calib.TopClassTally;
import xportdnn.data.Batches;
import xportdnn.data.FloatImage;
import xportdnn.data.ImageFlags;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.Validation.LayerError;

/**
 * Runs every image through the float engine and the fixed-point simulator of the same quantized net and scores
 * them side by side: class scores of both for top-1/top-5, and each layer the simulator reports compared with the
 * float engine's output of the same layer. The two passes over a batch run in step: as the simulator computes an
 * output, the float pass runs on to the layer that computes the same one, and the two are compared there and
 * dropped, so neither pass keeps every layer's output for the other (SqueezeNet at batch 8: 265 MB). Keeps a
 * sample of every layer's float output on the first image for the report's histograms.
 */
public final class Validator {

    /** Values kept per layer for the histograms. */
    static final int SAMPLE = 20_000;

    private final FloatEngine floatNet;
    private final FixedPointNet fixedNet;
    private final Transformer transformer;
    private final ScoredOutput output;
    private final int batchSize;
    private final boolean byBlob;
    /** Per output compared (a layer, or in blob mode a blob), the float layer that writes its final value. */
    private final Map<String, String> floatWriters;
    /** Per output the simulator reports, the layer its final value is reported as. */
    private final Map<String, String> fixedWriters;
    private final Map<String, float[]> samples = new LinkedHashMap<>();
    /**
     * The float net's class scores before a final Softmax ({@link Calibrator#classScores}), whose top-2 margins are
     * counted against the step the device writes them in; null when the net's output is not one score per class.
     */
    private final String marginBlob;
    private final int marginClasses;
    /**
     * Whether the scored output is a blob inside each net (--blob naming one that later layers read), which its
     * pass does not return: its values are then taken as the pass writes them.
     */
    private final boolean floatScoresInside;
    private final boolean fixedScoresInside;
    /** The float values being compared: one buffer, as large as the largest output. */
    private float[] floatValues;

    /**
     * @param output    the output both nets give, scored as its kind asks
     * @param byBlob    compare layer outputs by blob (each blob's final value in a pass) rather than by layer name:
     *                  for a float net of another structure than the quantized one (e.g. the original, unfolded
     *                  net of a folded or tuned export), whose layers do not match but whose blobs do
     */
    public Validator(FloatEngine floatNet, FixedPointNet fixedNet, Transformer transformer, ScoredOutput output,
                     int batchSize, boolean byBlob) {
        this.floatNet = floatNet;
        this.fixedNet = fixedNet;
        this.transformer = transformer;
        this.output = output;
        this.batchSize = batchSize;
        this.byBlob = byBlob;
        this.floatWriters = finalWriters(floatNet.net().layers());
        this.fixedWriters = finalWriters(fixedNet.reportedLayers().stream().map(fixedNet.net()::layer).toList());
        this.marginBlob = marginBlob(floatNet);
        this.marginClasses = marginBlob == null ? 0 : floatNet.net().classesIn(marginBlob);
        this.floatScoresInside = !floatNet.outputNames().contains(output.blob());
        this.fixedScoresInside = !fixedNet.outputNames().contains(output.blob());
    }

    /**
     * Per output, the last of {@code layers} (in pass order) that writes it. A DetectionOutput is left out: the two
     * nets' rows are different detections, not values to compare one by one ({@link DetectionAgreement} scores them).
     */
    private Map<String, String> finalWriters(List<Layer> layers) {
        Map<String, String> writers = new HashMap<>();
        layers.stream().filter(layer -> layer.layerType() != LayerType.DETECTION_OUTPUT)
                .forEach(layer -> writers.put(key(layer), layer.name()));
        return writers;
    }

    public Validation run(List<ImageSet.Entry> images, IntConsumer progress) {
        return score(images, progress, (batch, n, first, v) -> {
            try (FloatEngine.Pass floatPass = floatNet.start(batch, n)) {
                BatchComparison comparison = new BatchComparison(floatPass, n, samples.isEmpty());
                float[] fixedScores = scores(output, fixedNet.forwardValues(batch, n, comparison::onFixedOutput),
                        fixedScoresInside ? comparison.fixedScores : null, "fixed-point simulation");
                comparison.runFloatTo(null);
                float[] floatScores = scores(output, floatPass.finish(null),
                        floatScoresInside ? comparison.floatScores : null, "float net");
                comparison.errors.values().stream().filter(Objects::nonNull).forEach(v::addLayer);
                return new BatchScores(floatScores, fixedScores, comparison.classScores);
            }
        });
    }

    /** One batch scored by both nets: each net's scored output, and the float net's class scores (or null). */
    private record BatchScores(float[] floatScores, float[] fixedScores, float[] classScores) {
    }

    /** Scores one batch of {@code n} images starting at {@code first}, adding what else it measures to {@code v}. */
    @FunctionalInterface
    private interface BatchScoring {
        BatchScores score(float[] batch, int n, int first, Validation v);
    }

    /**
     * The images scored batch by batch by {@code scoring}, with what every run adds: the simulator's wrapped
     * averages of each batch, each image's outputs, and the float net's class-score verdicts.
     */
    private Validation score(List<ImageSet.Entry> images, IntConsumer progress, BatchScoring scoring) {
        Validation v = new Validation();
        ImageFlags turned = new ImageFlags(images.size(), FloatImage::turned);
        TopClassTally verdicts = new TopClassTally(Math.max(marginClasses, 1));
        Batches.run(images, transformer, batchSize, turned, (batch, n, first) -> {
            BatchScores scored = scoring.score(batch, n, first, v);
            addWrappedAverages(v, n);
            if (scored.classScores() != null) {
                verdicts.add(scored.classScores());
            }
            addOutputs(v, images, first, n, scored.floatScores(), scored.fixedScores(), turned);
        }, progress);
        if (marginBlob != null) {
            v.addFloatVerdicts(verdicts.verdicts());
        }
        return v;
    }

    /**
     * The float net's class scores before a final Softmax ({@link Calibrator#classScores}), whose top-2 margins are
     * counted; null when its output is not one score per class.
     */
    private static String marginBlob(FloatEngine floatNet) {
        String margins = Calibrator.classScores(floatNet.net());
        return floatNet.net().classesIn(margins) > 1 ? margins : null;
    }

    /**
     * The float side of {@link #run(List, IntConsumer)} alone, for scoring several simulators of the same net
     * against it ({@link #run(List, FloatReference, IntConsumer)}): the same float pass, layer by layer, keeping per
     * batch only the scored output and the class scores.
     */
    public static FloatReference floatReference(FloatEngine floatNet, Transformer transformer, ScoredOutput output,
            int batchSize, List<ImageSet.Entry> images, IntConsumer progress) {
        String marginBlob = marginBlob(floatNet);
        boolean floatScoresInside = !floatNet.outputNames().contains(output.blob());
        List<FloatReference.Batch> batches = new ArrayList<>();
        Batches.run(images, transformer, batchSize, (batch, n, first) -> {
            float[][] kept = new float[2][]; // the class scores, the scored blob inside the net
            Map<String, INDArray> outputs = floatNet.forward(batch, n, (layer, tops) -> {
                kept[0] = valuesOf(marginBlob, layer, tops, kept[0]);
                kept[1] = valuesOf(floatScoresInside ? output.blob() : null, layer, tops, kept[1]);
            });
            batches.add(new FloatReference.Batch(scores(output, outputs, kept[1], "float net"), kept[0]));
        }, progress);
        return new FloatReference(batchSize, images.size(), batches);
    }

    /**
     * Scores the simulator against {@code reference} (made by {@link #floatReference} on the same images with the
     * same batch size), as {@link #run(List, IntConsumer)} scores it, but without comparing each layer: the output,
     * its errors and the wrapped averages. The simulator runs without an observer (in shares of each batch) unless
     * the scored blob is inside the net.
     */
    public Validation run(List<ImageSet.Entry> images, FloatReference reference, IntConsumer progress) {
        if (reference.images() != images.size() || reference.batchSize() != batchSize) {
            throw new IllegalArgumentException("a float reference of " + reference.images() + " images in batches of "
                    + reference.batchSize() + " for " + images.size() + " in batches of " + batchSize);
        }
        return score(images, progress, (batch, n, first, v) -> {
            float[][] inside = new float[1][];
            Map<String, INDArray> outputs = fixedNet.forwardValues(batch, n, !fixedScoresInside ? null
                    : (layer, tops) -> inside[0] = fixedScoresOf(layer, tops, inside[0]));
            float[] fixedScores = scores(output, outputs, inside[0], "fixed-point simulation");
            FloatReference.Batch floatBatch = reference.batchAt(first);
            return new BatchScores(floatBatch.scores(), fixedScores, floatBatch.classScores());
        });
    }

    /**
     * The values of {@code blob} as {@code layer} writes it among its {@code tops}, or {@code last} when the layer
     * does not write it (or {@code blob} is null): followed layer by layer, its final value.
     */
    private static float[] valuesOf(String blob, Layer layer, List<INDArray> tops, float[] last) {
        int t = blob == null ? -1 : layer.tops().indexOf(blob);
        return t < 0 ? last : Tensors.floats(tops.get(t));
    }

    /**
     * {@link #valuesOf} for the simulator's values of the scored blob, when it is inside the net: a copy, as the
     * simulator reuses its arrays; {@code last} when {@code layer} does not write it.
     */
    private float[] fixedScoresOf(Layer layer, List<float[]> tops, float[] last) {
        int scored = fixedScoresInside ? layer.tops().indexOf(output.blob()) : -1;
        return scored < 0 ? last : tops.get(scored).clone();
    }

    /** The images of the last pass of {@code n} whose average pooling wrapped a code, per pooling. */
    private void addWrappedAverages(Validation v, int n) {
        fixedNet.lastPassWrappedAverages().forEach((layer, wrapped) -> v.addWrappedAverages(layer,
                IntStream.range(0, Math.min(n, wrapped.length)).filter(i -> wrapped[i]).count()));
    }

    /** A batch's scored outputs of both nets: their errors, and each image's scores (and whether it was turned). */
    private void addOutputs(Validation v, List<ImageSet.Entry> images, int first, int n, float[] floatScores,
            float[] fixedScores, ImageFlags turned) {
        if (output.kind() != ScoredOutput.Kind.DETECTIONS) { // two nets' detections are not value for value
            v.addOutputError(output.blob(), floatScores, fixedScores);
        }
        for (int i = 0; i < n; i++) {
            v.addOutput(output, images.get(first + i).label(), row(floatScores, i, n), row(fixedScores, i, n));
            if (turned.get(first + i)) {
                v.addTurned();
            }
        }
    }

    /** One batch's comparisons, as the simulator's pass computes its outputs and the float pass is run on to them. */
    private final class BatchComparison {

        private final FloatEngine.Pass floatPass;
        private final int images;
        private final boolean sampling;
        /** Float values of compared outputs the float pass has gone past and the simulator has not reached yet. */
        private final Map<String, float[]> ahead = new HashMap<>();
        /**
         * Per output compared, its errors on the batch: in the order the simulator first writes each (its place in
         * the report), null until it writes the final value.
         */
        final Map<String, LayerError> errors = new LinkedHashMap<>();
        /** The batch's float {@link #marginBlob} as last written (null before, or without class scores). */
        float[] classScores;
        /** The scored blob's values as each pass last wrote them, when it is inside the net (else null). */
        float[] floatScores;
        float[] fixedScores;

        BatchComparison(FloatEngine.Pass floatPass, int images, boolean sampling) {
            this.floatPass = floatPass;
            this.images = images;
            this.sampling = sampling;
        }

        void onFixedOutput(Layer layer, List<float[]> tops) {
            fixedScores = fixedScoresOf(layer, tops, fixedScores);
            String key = key(layer);
            if (!floatWriters.containsKey(key)) {
                return;
            }
            if (!errors.containsKey(key)) {
                errors.put(key, null);
            }
            if (!layer.name().equals(fixedWriters.get(key))) {
                return;
            }
            float[] fixed = tops.get(0);
            float[] reference = ahead.remove(key);
            int length = reference != null ? reference.length : runFloatTo(key);
            if (reference == null) {
                reference = floatValues;
            }
            if (length != fixed.length) {
                if (byBlob) {
                    return; // a blob of the same name but another shape: nothing to compare
                }
                throw new IllegalArgumentException("layer " + layer.name() + ": " + length + " float values but "
                        + fixed.length + " fixed ones");
            }
            errors.put(key, LayerError.between(layer.name(), reference, fixed, length));
        }

        /**
         * Runs the float pass until it has written the final value of {@code target} (null: to its end), keeping
         * the values of compared outputs it passes and sampling them on the first batch.
         *
         * @return the length of {@code target}'s values, now at the start of {@link #floatValues} (0 for null)
         */
        int runFloatTo(String target) {
            while (!floatPass.done()) {
                Layer layer = floatPass.step();
                classScores = valuesOf(marginBlob, layer, floatPass.tops(), classScores);
                floatScores = valuesOf(floatScoresInside ? output.blob() : null, layer, floatPass.tops(), floatScores);
                String key = key(layer);
                boolean compared = fixedWriters.containsKey(key);
                if (!layer.name().equals(floatWriters.get(key)) || !(compared || sampling && byBlob)) {
                    continue;
                }
                INDArray top = floatPass.tops().get(0);
                int length = Math.toIntExact(top.length());
                float[] values;
                if (key.equals(target)) {
                    floatValues = Tensors.floatsInto(top, floatValues);
                    values = floatValues;
                } else {
                    values = Tensors.floats(top);
                    if (compared) {
                        ahead.put(key, values);
                    }
                }
                if (sampling) {
                    samples.put(key, firstImageSample(values, length, images));
                }
                if (key.equals(target)) {
                    return length;
                }
            }
            if (target != null) {
                throw new IllegalStateException("the float pass never wrote '" + target + "'");
            }
            return 0;
        }
    }

    /** What a layer's first output is compared under: its name, or in blob mode its first top's name. */
    private String key(Layer layer) {
        return byBlob ? layer.tops().get(0) : layer.name();
    }

    /** Up to {@value #SAMPLE} evenly spaced float values of each layer's output on the first image. */
    public Map<String, float[]> samples() {
        return samples;
    }

    /**
     * The scored output of a pass: {@code inside}, the values of a blob inside the net as the pass wrote it, or
     * else the output the pass returned. Its output arrays are freed.
     */
    private static float[] scores(ScoredOutput output, Map<String, INDArray> outputs, float[] inside, String pass) {
        INDArray s = outputs.get(output.blob());
        float[] values = inside != null ? inside : s == null ? null : Tensors.floats(s);
        outputs.values().forEach(INDArray::close);
        if (values == null) {
            throw new IllegalStateException("the " + pass + " never wrote blob '" + output.blob() + "'");
        }
        return values;
    }

    /**
     * Image {@code image}'s values of a batch of {@code images}: an equal share of them (a DetectionOutput's row
     * count is the batch's, padded per image).
     */
    private static float[] row(float[] scores, int image, int images) {
        int each = scores.length / images;
        float[] r = new float[each];
        System.arraycopy(scores, image * each, r, 0, each);
        return r;
    }

    /** Up to {@value #SAMPLE} evenly spaced values of the first image among the first {@code length} of a batch's. */
    private static float[] firstImageSample(float[] batchValues, int length, int images) {
        int perImage = length / images;
        int step = Math.max(1, perImage / SAMPLE);
        float[] s = new float[(perImage + step - 1) / step];
        for (int i = 0; i < s.length; i++) {
            s[i] = batchValues[i * step];
        }
        return s;
    }
}
