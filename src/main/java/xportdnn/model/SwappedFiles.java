package xportdnn.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * What a file that is not of the kind asked for is instead, when it is the other of a net's two files: a new user
 * gives the prototxt where the caffemodel goes, or the other way round. Only looked at on the error path.
 */
final class SwappedFiles {

    /** Larger text is no prototxt anyone wrote by hand; not read on an error path. */
    private static final long MAX_TEXT = 64L << 20;

    private SwappedFiles() {
    }

    /** For a file that is not a binary caffemodel: the words saying it is a prototxt, or "" when it is not one. */
    static String prototxtHint(Path path) {
        try {
            if (Files.size(path) > MAX_TEXT) {
                return "";
            }
            NetParameter.Builder net = NetParameter.newBuilder();
            TextFormat.merge(Files.readString(path), net);
            return net.getLayerCount() + net.getLayersCount() > 0 || net.getInputCount() > 0
                    ? "; it is a prototxt (text: the net's definition), not the caffemodel of trained weights: "
                    + "give the binary .caffemodel here and the prototxt as the deploy model" : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** For a file that is not text: the words saying it is a binary caffemodel, or "" when it is not one. */
    static String caffemodelHint(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            NetParameter net = NetParameter.parseFrom(coded);
            return net.getLayerCount() + net.getLayersCount() > 0
                    ? "; it is a binary caffemodel (trained weights), not a prototxt: give the deploy prototxt (text) "
                    + "here and this file as the weights" : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
