package xportdnn.export;

import java.util.LinkedHashMap;
import java.util.Map;
import xportdnn.model.LayerType;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.InputParameter;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/** CHaiDNN runs one image at a time: the batch dimension of every Input layer must be 1. */
public final class BatchDimension {

    private BatchDimension() {
    }

    /**
     * Sets the first dimension of every shape of every Input layer to 1.
     *
     * @return the Input layers whose batch changed, by name, with their old batch size (in layer order)
     */
    public static Map<String, Long> setToOne(NetParameter.Builder net) {
        Map<String, Long> changed = new LinkedHashMap<>();
        for (LayerParameter.Builder layer : net.getLayerBuilderList()) {
            if (LayerType.of(layer.getType()) != LayerType.INPUT || !layer.hasInputParam()) {
                continue; // getInputParamBuilder() would add an empty input_param
            }
            InputParameter.Builder input = layer.getInputParamBuilder();
            for (BlobShape.Builder shape : input.getShapeBuilderList()) {
                if (shape.getDimCount() > 0 && shape.getDim(0) != 1) {
                    changed.putIfAbsent(layer.getName(), shape.getDim(0));
                    shape.setDim(0, 1);
                }
            }
        }
        return changed;
    }
}
