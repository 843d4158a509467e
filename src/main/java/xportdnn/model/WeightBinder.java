package xportdnn.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.LayerParameter;

/**
 * Checks a caffemodel layer's blobs against the shapes the deploy definition implies and turns them into
 * {@link Blob}s. Blobs written with the legacy num/channels/height/width fields (V1 files) are accepted when
 * they equal the expected shape padded with leading 1s to 4 dims, Caffe's rule, and take the expected shape.
 */
final class WeightBinder {

    private WeightBinder() {
    }

    /**
     * @param definition the deploy layer
     * @param expected   the parameter shapes it implies ({@link ParameterShapes})
     * @param stored     the caffemodel layer of the same name, or null when there is none
     */
    static List<Blob> bind(LayerParameter definition, List<int[]> expected, LayerParameter stored) {
        String name = definition.getName();
        String setting = ParameterShapes.countSetting(definition);
        String why = setting.isEmpty() ? "" : " (" + setting + ")";
        if (stored == null) {
            if (expected.isEmpty()) {
                return List.of();
            }
            throw ModelException.inLayer(name, "the prototxt expects " + blobs(expected.size()) + why
                    + " but the caffemodel has no layer of that name");
        }
        if (stored.getBlobsCount() != expected.size()) {
            throw ModelException.inLayer(name, "the prototxt expects " + blobs(expected.size()) + why
                    + " but the caffemodel has " + stored.getBlobsCount());
        }
        List<Blob> weights = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            weights.add(toBlob(name, i, stored.getBlobs(i), expected.get(i)));
        }
        checkFinite(definition, weights);
        return List.copyOf(weights);
    }

    /**
     * A loaded layer's weights ({@code loaded}, null when there are none) for {@code definition}, shared, not copied:
     * checked against the shapes it implies (their values were checked when they were loaded).
     */
    static List<Blob> share(LayerParameter definition, List<int[]> expected, List<Blob> loaded) {
        List<Blob> weights = loaded == null ? List.of() : loaded;
        if (weights.size() != expected.size()) {
            throw ModelException.inLayer(definition.getName(), "the definition expects " + blobs(expected.size())
                    + " but the net whose weights it takes has " + weights.size());
        }
        for (int i = 0; i < weights.size(); i++) {
            if (!Arrays.equals(weights.get(i).shape(), expected.get(i))) {
                throw ModelException.inLayer(definition.getName(), "parameter blob " + i + " is "
                        + Blob.describe(weights.get(i).shape()) + " but the definition implies "
                        + Blob.describe(expected.get(i)));
            }
        }
        return List.copyOf(weights);
    }

    /**
     * Refuses weights the engines cannot compute with: any inf or NaN value, and a BatchNorm whose stored
     * variance and scale factor make its per-channel factor {@code 1 / sqrt(var / s + eps)} non-finite (computed
     * in float, as the engine and the runtime compute it). One check here, so no engine, exporter or calibrator
     * ever sees such a value.
     */
    static void checkFinite(LayerParameter definition, List<Blob> weights) {
        String name = definition.getName();
        for (int i = 0; i < weights.size(); i++) {
            float[] data = weights.get(i).data();
            for (int k = 0; k < data.length; k++) {
                if (!Float.isFinite(data[k])) {
                    throw ModelException.inLayer(name, "parameter blob " + i + " holds " + data[k] + " at index " + k
                            + " (of " + Blob.describe(weights.get(i).shape()) + "); weights must be finite numbers");
                }
            }
        }
        boolean global = !definition.getBatchNormParam().hasUseGlobalStats()
                || definition.getBatchNormParam().getUseGlobalStats();
        if (definition.getType().equals("BatchNorm") && global && weights.size() == 3 && weights.get(2).count() > 0) {
            checkBatchNormFactor(name, weights.get(1).data(), weights.get(2).data()[0],
                    definition.getBatchNormParam().getEps());
        }
    }

    private static void checkBatchNormFactor(String name, float[] storedVariance, float s, float eps) {
        float factor = s == 0 ? 0 : 1 / s;
        if (!Float.isFinite(factor)) {
            throw ModelException.inLayer(name, "the BatchNorm scale factor (parameter blob 2) is " + s
                    + ": 1 / " + s + " is not a finite number");
        }
        for (int c = 0; c < storedVariance.length; c++) {
            float variance = storedVariance[c] * factor;
            float std = (float) Math.sqrt(variance + eps);
            if (!Float.isFinite(variance) || !(std > 0) || !Float.isFinite(1 / std)) {
                throw ModelException.inLayer(name, "channel " + c + " of the BatchNorm variance (parameter blob 1: "
                        + storedVariance[c] + ", scale factor " + s + ", eps " + eps + ") gives 1 / sqrt(variance + eps) = "
                        + (1 / std) + "; it must be a finite number");
            }
        }
    }

    private static String blobs(int n) {
        return n + " parameter blob" + (n == 1 ? "" : "s");
    }

    private static Blob toBlob(String layer, int index, BlobProto proto, int[] expected) {
        int[] stored = BlobProtos.storedShape(proto, layer);
        if (!Arrays.equals(stored, expected) && !(BlobProtos.legacy(proto) && Arrays.equals(stored, padTo4(expected)))) {
            throw ModelException.inLayer(layer, "parameter blob " + index + " is " + Blob.describe(stored)
                    + " in the caffemodel but the prototxt implies " + Blob.describe(expected));
        }
        long count = Blob.count(expected);
        int held = proto.getDoubleDataCount() > 0 ? proto.getDoubleDataCount() : proto.getDataCount();
        if (held != count) {
            throw ModelException.inLayer(layer, "parameter blob " + index + " (" + Blob.describe(stored) + ") should hold "
                    + count + " values but the caffemodel stores " + held);
        }
        return new Blob(expected.clone(), BlobProtos.values(proto));
    }

    /** Caffe's LegacyShape view: the shape with leading 1s up to 4 dims (null when it has more than 4). */
    private static int[] padTo4(int[] shape) {
        if (shape.length > 4) {
            return null;
        }
        int[] padded = {1, 1, 1, 1};
        System.arraycopy(shape, 0, padded, 4 - shape.length, shape.length);
        return padded;
    }
}
