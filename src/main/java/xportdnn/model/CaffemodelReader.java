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
        NetParameter net;
        try (InputStream in = Files.newInputStream(path)) {
            CodedInputStream coded = CodedInputStream.newInstance(in, BUFFER);
            coded.setSizeLimit(Integer.MAX_VALUE);
            net = NetParameter.parseFrom(coded);
        } catch (NoSuchFileException e) {
            throw new ModelException(path + ": no such file", e);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(path + ": not a Caffe model: truncated or corrupt (" + reason(e) + ")", e);
        } catch (IOException e) {
            throw IoErrors.cannot("read", path, e);
        }
        if (net.getLayerCount() == 0 && net.getLayersCount() == 0) {
            throw new ModelException(path + ": not a Caffe model: it holds no layers"
                    + (isEmpty(path) ? " (the file is empty)" : ""));
        }
        return net;
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
