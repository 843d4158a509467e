package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.TextFormat;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/** What every exporter keeps of the float net's definition. */
final class ExportedDefinition {

    private ExportedDefinition() {
    }

    /**
     * Asserts that {@code exported} is {@code original} with the first input's batch set to 1 and its own precision
     * blocks, nothing else changed, and that its printed prototxt re-parses to the same message.
     */
    static void assertKeptApartFromBatchAndBlocks(NetParameter original, NetParameter exported)
            throws TextFormat.ParseException {
        NetParameter.Builder expected = original.toBuilder();
        expected.getLayerBuilder(0).getInputParamBuilder().getShapeBuilder(0).setDim(0, 1);
        expected.getLayerBuilderList().forEach(LayerParameter.Builder::clearPrecisionParam);
        NetParameter.Builder actual = exported.toBuilder();
        actual.getLayerBuilderList().forEach(LayerParameter.Builder::clearPrecisionParam);
        assertEquals(expected.build(), actual.build());
        NetParameter.Builder reparsed = NetParameter.newBuilder();
        TextFormat.merge(PrototxtWriter.print(exported), reparsed);
        assertEquals(exported, reparsed.build());
    }
}
