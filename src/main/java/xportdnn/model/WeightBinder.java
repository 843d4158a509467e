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
        return List.copyOf(weights);
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
