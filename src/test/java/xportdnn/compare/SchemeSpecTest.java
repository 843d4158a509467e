package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;

class SchemeSpecTest {

    @Test
    void listsParseInOrder() {
        assertEquals(List.of(new SchemeSpec(SchemeSpec.Family.XILINX, 8), new SchemeSpec(SchemeSpec.Family.NAIVE, 4)),
                SchemeSpec.parseList("xilinx:8, NAIVE:4"));
        assertEquals("dynamicfixed:6", SchemeSpec.parse("dynamicfixed:6").label());
    }

    @Test
    void badSchemesAreRefusedNamingTheFlag() {
        for (String bad : List.of("bfp8", "float:8", "naive:x", "naive:1", "naive:17", "naive:8,naive:8", "")) {
            ModelException e = assertThrows(ModelException.class, () -> SchemeSpec.parseList(bad), bad);
            assertTrue(e.getMessage().startsWith("--schemes: "), e.getMessage());
        }
    }

    /** F8Net's constants are the paper's for 8 bits: other widths are refused in words. */
    @Test
    void f8netTakesEightBitsOnly() {
        assertEquals("f8net:8", SchemeSpec.parse("f8net:8").label());
        ModelException e = assertThrows(ModelException.class, () -> SchemeSpec.parse("f8net:6"));
        assertEquals("--schemes: f8net:6: F8Net's constants (c = 40 signed, 70 unsigned, spec/algorithms.md F) are "
                + "published for 8 bits only; use f8net:8", e.getMessage());
    }

    /** naive: one scale per tensor, the largest of the per-channel thresholds the Xilinx walk measured. */
    @Test
    void naiveWeightsShareTheLargestChannelThreshold() {
        NetParameter net = NetParameter.newBuilder()
                .addLayer(LayerParameter.newBuilder().setName("conv").setType("Convolution").setPrecisionParam(
                        PrecisionParameter.newBuilder().setThLayerIn(4).addThParams(0.5f).addThParams(2.5f)
                                .addThParams(1f)))
                .addLayer(LayerParameter.newBuilder().setName("pool").setType("Pooling").setPrecisionParam(
                        PrecisionParameter.newBuilder().setThLayerIn(4)))
                .build();
        NetParameter naive = SchemeNets.perTensorWeights(net);
        assertEquals(List.of(2.5f, 2.5f, 2.5f), naive.getLayer(0).getPrecisionParam().getThParamsList());
        assertEquals(4f, naive.getLayer(0).getPrecisionParam().getThLayerIn());
        assertEquals(net.getLayer(1), naive.getLayer(1));
    }

    /**
     * bfp:8 thresholds: activations up to the smallest covering exponent (0.9 -> e -1, 127/128; 1.0 -> e 0,
     * 127/64); weight channels the exponent of their largest magnitude (0.9 -> e -1, 127/128; 0.3 -> e -2, 127/256).
     */
    @Test
    void blockFloatPutsEveryThresholdOnThePowerOfTwoGrid() {
        NetParameter net = NetParameter.newBuilder()
                .addLayer(LayerParameter.newBuilder().setName("conv").setType("Convolution").setPrecisionParam(
                        PrecisionParameter.newBuilder().setThLayerIn(0.9f).setThLayerOut(1f).addThParams(0.9f)
                                .addThParams(0.3f)))
                .build();
        PrecisionParameter b = SchemeNets.blockFloat(net, 8).getLayer(0).getPrecisionParam();
        assertEquals(0.9921875f, b.getThLayerIn());
        assertEquals(1.984375f, b.getThLayerOut());
        assertEquals(List.of(0.9921875f, 0.49609375f), b.getThParamsList());
    }
}
