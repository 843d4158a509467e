package xportdnn.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.Blob;
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
        assertEquals(new SchemeSpec(SchemeSpec.Family.ACIQ, 4), SchemeSpec.parse("aciq:4"));
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
        NetParameter naive = SchemeNets.perTensorWeights(net, layer -> true);
        assertEquals(List.of(2.5f, 2.5f, 2.5f), naive.getLayer(0).getPrecisionParam().getThParamsList());
        assertEquals(4f, naive.getLayer(0).getPrecisionParam().getThLayerIn());
        assertEquals(net.getLayer(1), naive.getLayer(1));
    }

    /**
     * bfp:8 blocks: weight channels the exponent of their largest magnitude (0.9 -> e -1, 127/128; 0.3 -> e -2,
     * 127/256); the activation thresholds removed (the simulator has an exponent per channel of every blob).
     */
    @Test
    void blockFloatPutsWeightThresholdsOnThePowerOfTwoGrid() {
        NetParameter net = NetParameter.newBuilder()
                .addLayer(LayerParameter.newBuilder().setName("conv").setType("Convolution").setPrecisionParam(
                        PrecisionParameter.newBuilder().setThLayerIn(0.9f).setThLayerOut(1f).addThParams(0.9f)
                                .addThParams(0.3f)))
                .build();
        PrecisionParameter b = SchemeNets.blockFloat(net, 8).getLayer(0).getPrecisionParam();
        assertFalse(b.hasThLayerIn() || b.hasThLayerOut());
        assertEquals(List.of(0.9921875f, 0.49609375f), b.getThParamsList());
    }

    /**
     * aciq:4 on 4 channels of 18 weights with ranges 1/8, 1, 1, 8: widths 2, 4, 4, 6 (16 bits a position, as 4 x 4),
     * so 18 x 16 = 288 bits = 36 bytes of codes, plus per channel a float32 scale, a mean offset and a width byte:
     * 24 bytes.
     */
    @Test
    void aciqBytesCountEachChannelAtItsWidth() {
        float[] w = new float[4 * 18];
        float[] ranges = {0.125f, 1, 1, 8};
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 18; i++) {
                w[c * 18 + i] = ranges[c] * (i % 3 - 1);
            }
        }
        PrecisionParameter block = PrecisionParameter.newBuilder().setBwParams(4).addThParams(0.125f).addThParams(1)
                .addThParams(1).addThParams(8).build();
        assertEquals(36, ModelBytes.weightBytes(SchemeSpec.Family.ACIQ, block, new Blob(new int[] {4, 2, 3, 3}, w)));
        assertEquals(24, ModelBytes.scaleBytes(SchemeSpec.Family.ACIQ, block));
        // naive: 72 weights at 4 bits
        assertEquals(36, ModelBytes.weightBytes(SchemeSpec.Family.NAIVE, block, new Blob(new int[] {4, 2, 3, 3}, w)));
    }
}
