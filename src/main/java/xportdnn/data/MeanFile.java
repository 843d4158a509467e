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
import xportdnn.model.OutputMemory;
import xportdnn.model.proto.Caffe;

/**
 * A mean image for {@code --mean_file}: Caffe's {@code .binaryproto} (a serialized {@code BlobProto}, as
 * {@code compute_image_mean} writes it, usually 1 x C x H x W) or a NumPy {@code .npy}, told apart by the
 * {@code .npy} magic bytes.
 */
public final class MeanFile {

    /** The widest encoding of one value: a BlobProto's unpacked double_data (tag byte + 8 bytes). */
    private static final long MAX_BYTES_PER_VALUE = 9;
    /** Room for a .npy header (NumPy writes at most 10000 bytes) or a BlobProto's shape fields. */
    private static final long MAX_OVERHEAD = 16_384;

    private MeanFile() {
    }

    /**
     * Reads the mean for an input of {@code dims} (C, H, W). A file larger than any encoding of that many values is
     * refused from its size, before it is read: a wrong or hostile file must not fill the memory first and fail the
     * shape check after. The exact shape is checked against the input afterwards (Preprocessing).
     */
    public static Blob read(Path file, int[] dims) {
        long values = Blob.count(dims);
        long limit = values * MAX_BYTES_PER_VALUE + MAX_OVERHEAD;
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > limit) {
                throw new ModelException(file + ": the mean file is " + OutputMemory.bytes(size) + ", too large for the "
                        + "net's input " + Blob.describe(dims) + " (a mean of " + values + " values takes at most "
                        + OutputMemory.bytes(limit) + ")");
            }
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
