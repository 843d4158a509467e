package xportdnn.data;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import xportdnn.model.Blob;
import xportdnn.model.BlobProtos;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;
import xportdnn.model.Npy;
import xportdnn.model.proto.Caffe;

/**
 * A mean image for {@code --mean_file}: Caffe's {@code .binaryproto} (a serialized {@code BlobProto}, as
 * {@code compute_image_mean} writes it, usually 1 x C x H x W) or a NumPy {@code .npy}, told apart by the
 * {@code .npy} magic bytes.
 */
public final class MeanFile {

    private MeanFile() {
    }

    public static Blob read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw IoErrors.cannot("read the mean file", file, e);
        }
        return Npy.isNpy(bytes) ? Npy.read(file) : binaryProto(bytes, file);
    }

    private static Blob binaryProto(byte[] bytes, Path file) {
        Caffe.BlobProto proto;
        try {
            proto = Caffe.BlobProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(file + ": neither a .npy nor a Caffe .binaryproto mean file ("
                    + e.getMessage() + ")", e);
        }
        int[] shape = BlobProtos.storedShape(proto, file.toString());
        long count = Blob.count(shape);
        float[] data = BlobProtos.values(proto);
        if (count == 0 || count != data.length) {
            throw new ModelException(file + ": BlobProto of shape " + Blob.describe(shape) + " holds " + data.length
                    + " values" + (data.length == 0 ? " (is this a Caffe mean file?)" : ""));
        }
        return new Blob(shape, data);
    }
}
