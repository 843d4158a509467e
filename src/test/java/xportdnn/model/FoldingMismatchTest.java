package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * A prototxt with BatchNorm folded (as --fuse_bn writes it) and a caffemodel without (the original), or the other
 * way round: Caffe would run the first pair with every BatchNorm left out; both are refused, saying why.
 */
class FoldingMismatchTest {

    private static final String INPUT = "layer { name: 'data' type: 'Input' top: 'data' "
            + "input_param { shape { dim: 1 dim: 3 dim: 6 dim: 6 } } }\n";
    private static final String CONV = "layer { name: 'conv1' type: 'Convolution' bottom: 'data' top: 'conv1' "
            + "convolution_param { num_output: 4 kernel_size: 3 } }\n";
    private static final String NORM = "layer { name: 'bn1' type: 'BatchNorm' bottom: 'conv1' top: 'conv1' }\n"
            + "layer { name: 'scale1' type: 'Scale' bottom: 'conv1' top: 'conv1' scale_param { bias_term: true } }\n";
    private static final String HEAD = "layer { name: 'relu1' type: 'ReLU' bottom: 'conv1' top: 'conv1' }\n"
            + "layer { name: 'ip' type: 'InnerProduct' bottom: 'conv1' top: 'ip' inner_product_param { num_output: 2 } }\n";

    private static final NetParameter UNFOLDED = TestWeights.definition(INPUT + CONV + NORM + HEAD);
    private static final NetParameter FOLDED = TestWeights.definition(INPUT + CONV + HEAD);

    /** Random weights for {@code definition}, each layer stored with its type and bottoms, as Caffe writes them. */
    private static NetParameter caffemodel(NetParameter definition) {
        NetParameter.Builder model = TestWeights.random(definition, 7).toBuilder();
        for (LayerParameter.Builder stored : model.getLayerBuilderList()) {
            LayerParameter layer = definition.getLayerList().stream()
                    .filter(l -> l.getName().equals(stored.getName())).findFirst().orElseThrow();
            stored.setType(layer.getType()).addAllBottom(layer.getBottomList()).addAllTop(layer.getTopList());
        }
        return model.build();
    }

    @Test
    void theFoldedPrototxtWithTheOriginalWeightsIsRefused() {
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.build(FOLDED, caffemodel(UNFOLDED)));
        assertTrue(e.getMessage().contains("BatchNorm layer 'bn1' normalizes the output 'conv1' of Convolution "
                + "'conv1', but the prototxt has no such layer (its 'relu1' reads 'conv1' directly)"), e.getMessage());
        assertTrue(e.getMessage().contains("--fuse_bn"), e.getMessage());
    }

    /** BatchNorm and Scale each with their own top: the folded convolution writes the Scale's top. */
    @Test
    void aFoldedChainOfOwnTopsWithTheOriginalWeightsIsRefused() {
        String conv = CONV.replace("top: 'conv1'", "top: 'sc1'");
        String norm = "layer { name: 'bn1' type: 'BatchNorm' bottom: 'conv1' top: 'bn1' }\n"
                + "layer { name: 'scale1' type: 'Scale' bottom: 'bn1' top: 'sc1' scale_param { bias_term: true } }\n";
        String head = HEAD.replace("'conv1'", "'sc1'");
        NetParameter unfolded = TestWeights.definition(INPUT + CONV + norm + head);
        NetParameter folded = TestWeights.definition(INPUT + conv + head);
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.build(folded, caffemodel(unfolded)));
        assertTrue(e.getMessage().contains("Scale layer 'scale1' normalizes the output 'sc1' of Convolution 'conv1'"),
                e.getMessage());
    }

    @Test
    void theOriginalPrototxtWithTheFoldedWeightsIsRefusedSayingWhy() {
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.build(UNFOLDED, caffemodel(FOLDED)));
        assertTrue(e.getMessage().startsWith("layer 'bn1': the prototxt normalizes Convolution 'conv1' with this "
                + "BatchNorm, but the caffemodel holds no BatchNorm layer at all"), e.getMessage());
    }

    @Test
    void aNetCutBeforeItsBatchNormAndMatchingPairsStillLoad() {
        NetParameter cut = TestWeights.definition(INPUT + CONV); // conv1 is the output: nothing reads it unnormalized
        assertDoesNotThrow(() -> NetLoader.build(cut, caffemodel(UNFOLDED)));
        assertDoesNotThrow(() -> NetLoader.build(UNFOLDED, caffemodel(UNFOLDED)));
        assertDoesNotThrow(() -> NetLoader.build(FOLDED, caffemodel(FOLDED)));
    }

    /** ResNet-20 with its BatchNorm/Scale layers taken out (as --fuse_bn writes it) and its original caffemodel. */
    @Test
    void resnet20WithoutItsBatchNormLayersAndTheOriginalCaffemodelIsRefused() throws Exception {
        SharedData.Model model = SharedData.Model.RESNET20;
        NetParameter.Builder folded = TestWeights.definition(Files.readString(model.prototxt())).toBuilder();
        folded.clearLayer();
        TestWeights.definition(Files.readString(model.prototxt())).getLayerList().stream()
                .filter(l -> !l.getType().equals("BatchNorm") && !l.getType().equals("Scale"))
                .forEach(folded::addLayer);
        NetParameter original = CaffemodelReader.read(model.caffemodel());
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.build(folded.build(), original));
        assertTrue(e.getMessage().contains("BatchNorm layer 'BatchNorm1' normalizes the output 'Convolution1' of "
                + "Convolution 'Convolution1'"), e.getMessage());
    }
}
