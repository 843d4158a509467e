package xportdnn.model;

import com.google.protobuf.TextFormat;
import java.util.List;
import java.util.Random;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/** Caffemodel content built in tests: blobs with given values, or random values of the shapes a net implies. */
public final class TestWeights {

    private TestWeights() {
    }

    /** A deploy definition from prototxt text. */
    public static NetParameter definition(String prototxt) {
        NetParameter.Builder b = NetParameter.newBuilder();
        try {
            TextFormat.merge(prototxt, b);
        } catch (TextFormat.ParseException e) {
            throw new IllegalArgumentException(e);
        }
        return b.build();
    }

    public static BlobProto blob(int[] shape, float... data) {
        BlobShape.Builder s = BlobShape.newBuilder();
        for (int d : shape) {
            s.addDim(d);
        }
        BlobProto.Builder b = BlobProto.newBuilder().setShape(s);
        for (float v : data) {
            b.addData(v);
        }
        return b.build();
    }

    public static LayerParameter layer(String name, BlobProto... blobs) {
        LayerParameter.Builder l = LayerParameter.newBuilder().setName(name);
        for (BlobProto b : blobs) {
            l.addBlobs(b);
        }
        return l.build();
    }

    /**
     * A caffemodel for {@code definition} with uniform random values in [-1, 1) of every parameter shape, except
     * BatchNorm's third blob (the scale factor), set to 1, and its variance, kept positive.
     */
    public static NetParameter random(NetParameter definition, long seed) {
        return random(definition, seed, 1);
    }

    /**
     * As {@link #random(NetParameter, long)} with BatchNorm's scale factor (the moving-average factor its mean and
     * variance are divided by) {@code batchNormFactor}. Also tools/OpenCvCrossCheck's weights.
     */
    public static NetParameter random(NetParameter definition, long seed, float batchNormFactor) {
        Net net = NetLoader.build(definition, null);
        Random r = new Random(seed);
        NetParameter.Builder model = NetParameter.newBuilder();
        for (Layer l : net.layers()) {
            List<int[]> shapes = net.parameterShapes(l);
            if (shapes.isEmpty()) {
                continue;
            }
            LayerParameter.Builder stored = LayerParameter.newBuilder().setName(l.name());
            for (int i = 0; i < shapes.size(); i++) {
                float[] data = new float[(int) Blob.count(shapes.get(i))];
                for (int k = 0; k < data.length; k++) {
                    float v = r.nextFloat() * 2 - 1;
                    data[k] = !l.type().equals("BatchNorm") ? v : i == 2 ? batchNormFactor : i == 1 ? Math.abs(v) + 0.1f : v;
                }
                stored.addBlobs(blob(shapes.get(i), data));
            }
            model.addLayer(stored);
        }
        return model.build();
    }
}
