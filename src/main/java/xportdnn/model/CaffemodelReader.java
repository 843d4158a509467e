package xportdnn.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * Reads a binary {@code .caffemodel} (a serialized NetParameter with blobs). Fields our schema does not declare,
 * or declares with another wire type (YuFaceDetectNet's varint fields 145-148), are kept aside as unknown fields
 * by protobuf, as Caffe itself does.
 */
public final class CaffemodelReader {

    private static final int BUFFER = 1 << 16;

    private CaffemodelReader() {
    }

    /** The NetParameter as stored (not upgraded); a file with no layers at all is an error. */
    public static NetParameter read(Path path) {
        refuseOver2GB(path);
        NetParameter net;
        try (InputStream in = Files.newInputStream(path)) {
            CodedInputStream coded = CodedInputStream.newInstance(in, BUFFER);
            coded.setSizeLimit(Integer.MAX_VALUE);
            net = NetParameter.parseFrom(coded);
        } catch (NoSuchFileException e) {
            throw new ModelException(path + ": no such file", e);
        } catch (InvalidProtocolBufferException e) {
            String prototxt = SwappedFiles.prototxtHint(path);
            throw new ModelException(path + ": not a Caffe model"
                    + (prototxt.isEmpty() ? ": truncated or corrupt (" + reason(e) + ")" : prototxt), e);
        } catch (IOException e) {
            throw IoErrors.cannot("read", path, e);
        }
        if (net.getLayerCount() == 0 && net.getLayersCount() == 0) {
            throw new ModelException(path + ": not a Caffe model: it holds no layers"
                    + (isEmpty(path) ? " (the file is empty)" : SwappedFiles.prototxtHint(path)));
        }
        return net;
    }

    /**
     * Protobuf (like Caffe itself) cannot parse a message of 2 GB or more: its sizes and offsets are 32-bit. Said
     * before reading, rather than failing after minutes with a parser error.
     */
    private static void refuseOver2GB(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            return; // reading it reports the problem in words
        }
        if (size > Integer.MAX_VALUE) {
            throw new ModelException(path + ": the caffemodel is " + OutputMemory.bytes(size) + "; a Caffe model (a "
                    + "protobuf message) cannot be read above 2 GB (2147483647 bytes), by Caffe or by xportdnn");
        }
    }

    private static String reason(InvalidProtocolBufferException e) {
        String m = e.getMessage();
        return m.contains("ended unexpectedly") ? "the data ends in the middle of a field" : m;
    }

    private static boolean isEmpty(Path path) {
        try {
            return Files.size(path) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
