package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/** {@link NetLoader#buildSharing}: another definition of a loaded net takes its weight arrays, checked, not copied. */
class SharedWeightsTest {

    private static final String NET = """
            name: "tiny"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 3 kernel_size: 3 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "ip" type: "InnerProduct" bottom: "conv" top: "ip" inner_product_param { num_output: 5 } }
            """;

    private static final NetParameter DEFINITION = TestWeights.definition(NET);
    private static final NetParameter CAFFEMODEL = TestWeights.random(DEFINITION, 3);

    @Test
    void anAnnotatedDefinitionSharesTheArrays() {
        Net net = NetLoader.build(DEFINITION, CAFFEMODEL);
        NetParameter.Builder annotated = DEFINITION.toBuilder();
        annotated.getLayerBuilder(1).setPrecisionParam(PrecisionParameter.newBuilder().setBwParams(8));
        Net shared = NetLoader.buildSharing(annotated.build(), net.weights());
        Net copied = NetLoader.build(annotated.build(), CAFFEMODEL);
        assertEquals(8, shared.layer("conv").param().getPrecisionParam().getBwParams());
        for (Layer l : copied.layers()) {
            List<Blob> weights = shared.layer(l.name()).weights();
            assertEquals(l.weights().size(), weights.size(), l.name());
            for (int i = 0; i < weights.size(); i++) {
                assertSame(net.layer(l.name()).weights().get(i).data(), weights.get(i).data(), l.name());
                assertArrayEquals(l.weights().get(i).shape(), weights.get(i).shape(), l.name());
                assertArrayEquals(l.weights().get(i).data(), weights.get(i).data(), l.name());
            }
        }
        assertArrayEquals(new int[] {1, 5}, shared.shape("ip"));
    }

    @Test
    void weightsOfAnotherShapeAreRefusedNamingTheLayer() {
        Net net = NetLoader.build(DEFINITION, CAFFEMODEL);
        NetParameter.Builder wider = DEFINITION.toBuilder();
        wider.getLayerBuilder(1).getConvolutionParamBuilder().setNumOutput(4);
        ModelException e = assertThrows(ModelException.class,
                () -> NetLoader.buildSharing(wider.build(), net.weights()));
        assertEquals("layer 'conv': parameter blob 0 is 3x2x3x3 but the definition implies 4x2x3x3", e.getMessage());
    }

    @Test
    void aLayerWithoutWeightsIsRefused() {
        Map<String, List<Blob>> weights = new HashMap<>(NetLoader.build(DEFINITION, CAFFEMODEL).weights());
        weights.remove("ip");
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.buildSharing(DEFINITION, weights));
        assertEquals("layer 'ip': the definition expects 2 parameter blobs but the net whose weights it takes has 0",
                e.getMessage());
    }
}
