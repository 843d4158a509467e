package xportdnn.spark;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.Serializable;
import xportdnn.model.BlobProtos;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A loaded net as executors receive it: its definition and its weights as Caffe messages, so that an executor
 * builds the very net the driver loaded (folded, if it was) without reading the user's files.
 */
record ShippedNet(byte[] definition, byte[] weights) implements Serializable {

    static ShippedNet of(Net net) {
        NetParameter.Builder weights = net.definition().toBuilder().clearLayer();
        for (Layer layer : net.layers()) {
            LayerParameter.Builder stored = layer.param().toBuilder();
            layer.weights().forEach(b -> stored.addBlobs(BlobProtos.of(b)));
            weights.addLayer(stored);
        }
        return new ShippedNet(net.definition().toByteArray(), weights.build().toByteArray());
    }

    Net build() {
        try {
            return NetLoader.build(NetParameter.parseFrom(definition), NetParameter.parseFrom(weights));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a shipped net does not parse", e);
        }
    }
}
