package xportdnn.model;

import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;

/**
 * Reading Caffe's {@code BlobProto} (its stored shape, legacy 4-D fields or {@code shape}, and its values) and
 * writing one from a {@link Blob}.
 */
public final class BlobProtos {

    private BlobProtos() {
    }

    /** Whether the blob uses the old num/channels/height/width fields instead of {@code shape}. */
    public static boolean legacy(BlobProto proto) {
        return proto.hasNum() || proto.hasChannels() || proto.hasHeight() || proto.hasWidth();
    }

    /** The shape as stored; {@code where} names the layer or file in errors. */
    public static int[] storedShape(BlobProto proto, String where) {
        return legacy(proto)
                ? new int[] {proto.getNum(), proto.getChannels(), proto.getHeight(), proto.getWidth()}
                : Shapes.of(proto.getShape(), where);
    }

    /** The values as float32: {@code double_data} when the blob holds doubles, else {@code data}. */
    public static float[] values(BlobProto proto) {
        if (proto.getDoubleDataCount() > 0) {
            float[] data = new float[proto.getDoubleDataCount()];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) proto.getDoubleData(i);
            }
            return data;
        }
        float[] data = new float[proto.getDataCount()];
        for (int i = 0; i < data.length; i++) {
            data[i] = proto.getData(i);
        }
        return data;
    }

    /** The blob as a BlobProto with {@code shape} and float {@code data}. */
    public static BlobProto of(Blob b) {
        BlobShape.Builder shape = BlobShape.newBuilder();
        for (int d : b.shape()) {
            shape.addDim(d);
        }
        BlobProto.Builder p = BlobProto.newBuilder().setShape(shape);
        for (float v : b.data()) {
            p.addData(v);
        }
        return p.build();
    }
}
