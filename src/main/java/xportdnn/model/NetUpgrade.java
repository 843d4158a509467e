package xportdnn.model;

import java.util.ArrayList;
import java.util.List;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.InputParameter;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.V1LayerParameter;

/**
 * Brings a NetParameter to the current format, as Caffe's upgrade_proto.cpp does: V1 {@code layers} become
 * {@code layer} entries, and net-level {@code input:} declarations become Input layers at the front.
 */
public final class NetUpgrade {

    private NetUpgrade() {
    }

    /** The upgraded net; errors do not name the file (the caller adds it). */
    public static NetParameter upgrade(NetParameter net) {
        return inputsToLayers(v1ToCurrent(net));
    }

    static NetParameter v1ToCurrent(NetParameter net) {
        if (net.getLayersCount() == 0) {
            return net;
        }
        if (net.getLayerCount() > 0) {
            throw new ModelException("the net has both 'layer' and V1 'layers' entries; use one format");
        }
        NetParameter.Builder upgraded = net.toBuilder().clearLayers();
        for (V1LayerParameter v1 : net.getLayersList()) {
            if (v1.hasLayer()) {
                throw ModelException.inLayer(v1.hasName() ? v1.getName() : v1.getLayer().getName(),
                        "V0 format not supported (upgrade the file with Caffe's upgrade_net_proto_text first)");
            }
            upgraded.addLayer(V1LayerUpgrade.upgrade(v1));
        }
        return upgraded.build();
    }

    /**
     * One Input layer per {@code input:} blob, named after the blob, in front of the other layers. (Caffe makes a
     * single layer named "input" with all of them as tops; one per blob keeps each name meaningful.)
     */
    static NetParameter inputsToLayers(NetParameter net) {
        int inputs = net.getInputCount();
        if (inputs == 0) {
            if (net.getInputDimCount() > 0 || net.getInputShapeCount() > 0) {
                throw new ModelException("input_dim / input_shape given without an 'input:' blob name");
            }
            return net;
        }
        List<BlobShape> shapes = inputShapes(net);
        NetParameter.Builder upgraded = net.toBuilder().clearInput().clearInputDim().clearInputShape().clearLayer();
        for (int i = 0; i < inputs; i++) {
            String blob = net.getInput(i);
            upgraded.addLayer(LayerParameter.newBuilder().setName(blob).setType(LayerType.INPUT.typeName()).addTop(blob)
                    .setInputParam(InputParameter.newBuilder().addShape(shapes.get(i))));
        }
        return upgraded.addAllLayer(net.getLayerList()).build();
    }

    private static List<BlobShape> inputShapes(NetParameter net) {
        int inputs = net.getInputCount();
        if (net.getInputShapeCount() > 0) {
            if (net.getInputShapeCount() != inputs) {
                throw new ModelException("" + inputs + " 'input' blobs but " + net.getInputShapeCount()
                        + " input_shape entries (one per input expected)");
            }
            return net.getInputShapeList();
        }
        if (net.getInputDimCount() != 4 * inputs) {
            throw new ModelException("" + inputs + " 'input' blobs but " + net.getInputDimCount()
                    + " input_dim values (4 per input expected)");
        }
        List<BlobShape> shapes = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            BlobShape.Builder shape = BlobShape.newBuilder();
            for (int d = 0; d < 4; d++) {
                shape.addDim(net.getInputDim(4 * i + d));
            }
            shapes.add(shape.build());
        }
        return shapes;
    }
}
