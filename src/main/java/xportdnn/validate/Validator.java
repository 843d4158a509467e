package xportdnn.validate;

import xportdnn.sim.FixedPointNet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;

/**
 * Runs every image through the float engine and the fixed-point simulator of the same quantized net and scores
 * them side by side: class scores of both for top-1/top-5, and each layer the simulator reports compared with the
 * float engine's output of the same layer. Keeps a sample of every layer's float output on the first image for
 * the report's histograms.
 */
public final class Validator {

    /** Values kept per layer for the histograms. */
    static final int SAMPLE = 20_000;

    private final FloatEngine floatNet;
    private final FixedPointNet fixedNet;
    private final Transformer transformer;
    private final String scoreBlob;
    private final int classes;
    private final int batchSize;
    private final boolean byBlob;
    private final Map<String, float[]> samples = new LinkedHashMap<>();

    /**
     * @param scoreBlob the class-score blob ({@code classes} values per image) both nets output
     * @param byBlob    compare layer outputs by blob (each blob's final value in a pass) rather than by layer name:
     *                  for a float net of another structure than the quantized one (e.g. the original, unfolded
     *                  net of a folded or tuned export), whose layers do not match but whose blobs do
     */
    public Validator(FloatEngine floatNet, FixedPointNet fixedNet, Transformer transformer, String scoreBlob,
                     int classes, int batchSize, boolean byBlob) {
        this.floatNet = floatNet;
        this.fixedNet = fixedNet;
        this.transformer = transformer;
        this.scoreBlob = scoreBlob;
        this.classes = classes;
        this.batchSize = batchSize;
        this.byBlob = byBlob;
    }

    public Validation run(List<ImageSet.Entry> images, IntConsumer progress) {
        Validation v = new Validation();
        // Per layer (or blob) compared, its float output on the batch; in blob mode also the fixed one. Buffers
        // kept from one batch to the next, so a run allocates them once rather than for every batch.
        Set<String> compared = byBlob ? null : Set.copyOf(fixedNet.reportedLayers());
        Map<String, float[]> reference = new HashMap<>();
        Map<String, float[]> fixed = new HashMap<>();
        // by layer, each fixed output is compared as it comes: one buffer per output size does
        Map<Integer, float[]> scratch = new HashMap<>();
        Batches.run(images, transformer, batchSize, (batch, n, first) -> {
            float[] floatScores = scores(floatNet.forward(batch, n, (layer, tops) -> {
                if (byBlob || compared.contains(layer.name())) {
                    reference.put(key(layer), Tensors.floats(tops.get(0), reference.get(key(layer))));
                }
            }));
            Map<String, String> lastWriter = new LinkedHashMap<>();
            float[] fixedScores = scores(fixedNet.forward(batch, n, (layer, tops) -> {
                INDArray top = tops.get(0);
                if (byBlob) {
                    fixed.put(key(layer), Tensors.floats(top, fixed.get(key(layer))));
                    lastWriter.put(key(layer), layer.name());
                } else if (reference.containsKey(layer.name())) {
                    int length = Math.toIntExact(top.length());
                    float[] values = Tensors.floats(top, scratch.get(length));
                    scratch.put(length, values);
                    v.addLayer(layer.name(), reference.get(layer.name()), values);
                }
            }));
            // by blob, only a blob's last value counts
            lastWriter.forEach((blob, writer) -> {
                float[] ref = reference.get(blob);
                float[] values = fixed.get(blob);
                if (ref != null && ref.length == values.length) {
                    v.addLayer(writer, ref, values);
                }
            });
            if (samples.isEmpty()) {
                reference.forEach((name, values) -> samples.put(name, firstImageSample(values, n)));
            }
            for (int i = 0; i < n; i++) {
                v.addImage(images.get(first + i).label(), row(floatScores, i), row(fixedScores, i));
            }
        }, progress);
        return v;
    }

    /** What a layer's first output is compared under: its name, or in blob mode its first top's name. */
    private String key(Layer layer) {
        return byBlob ? layer.tops().get(0) : layer.name();
    }

    /** Up to {@value #SAMPLE} evenly spaced float values of each layer's output on the first image. */
    public Map<String, float[]> samples() {
        return samples;
    }

    /** The class scores of a pass; its output arrays are freed. */
    private float[] scores(Map<String, INDArray> outputs) {
        INDArray s = outputs.get(scoreBlob);
        if (s == null) {
            throw new IllegalStateException("the net returned no blob '" + scoreBlob + "'");
        }
        float[] values = Tensors.floats(s);
        outputs.values().forEach(INDArray::close);
        return values;
    }

    private float[] row(float[] scores, int image) {
        float[] r = new float[classes];
        System.arraycopy(scores, image * classes, r, 0, classes);
        return r;
    }

    private static float[] firstImageSample(float[] batchValues, int images) {
        int perImage = batchValues.length / images;
        int step = Math.max(1, perImage / SAMPLE);
        float[] s = new float[(perImage + step - 1) / step];
        for (int i = 0; i < s.length; i++) {
            s[i] = batchValues[i * step];
        }
        return s;
    }
}
