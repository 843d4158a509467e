package xportdnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.NetParameter;

/** The engine on small nets built in code: execution order, in-place layers, outputs, batches and errors. */
class FloatEngineTest {

    /** data [1,1,2,2] -> conv (x * -1 + 1) -> in-place ReLU -> split into max pool and an in-place Power (x * 10). */
    private static final String NET = """
            name: "tiny"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { pool: MAX global_pooling: true } }
            layer { name: "times10" type: "Power" bottom: "conv" top: "conv" power_param { scale: 10 } }
            """;

    private static Net net(String definition) {
        try {
            NetParameter.Builder weights = NetParameter.newBuilder();
            weights.addLayerBuilder().setName("conv").addBlobs(blob(-1, 1, 1, 1, 1)).addBlobs(blob(1, 1));
            return NetLoader.build(TextFormat.parse(definition, NetParameter.class), weights.build());
        } catch (TextFormat.ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static BlobProto blob(float value, long... shape) {
        BlobProto.Builder b = BlobProto.newBuilder().addData(value);
        for (long d : shape) {
            b.getShapeBuilder().addDim(d);
        }
        return b.build();
    }

    @Test
    void inPlaceLayersLeaveEachLayersOwnOutputObservable() {
        FloatEngine engine = new FloatEngine(net(NET));
        Map<String, INDArray> seen = new LinkedHashMap<>();
        Map<String, INDArray> outputs = engine.forward(Tensors.of(new float[] {0, 2, -3, 0.5f}, 1, 1, 2, 2),
                (layer, tops) -> seen.put(layer.name(), tops.get(0).dup()));
        assertEquals(List.of("data", "conv", "relu", "pool", "times10"), List.copyOf(seen.keySet()));
        assertValues(new float[] {1, -1, 4, 0.5f}, seen.get("conv"));      // before the ReLU, even after the run
        assertValues(new float[] {1, 0, 4, 0.5f}, seen.get("relu"));
        assertValues(new float[] {4}, seen.get("pool"));                   // pooled the ReLU's value, not times10's
        assertValues(new float[] {10, 0, 40, 5}, seen.get("times10"));
        assertEquals(List.of("pool", "conv"), engine.outputNames());
        assertEquals(List.of("pool", "conv"), List.copyOf(outputs.keySet()));
        assertValues(new float[] {10, 0, 40, 5}, outputs.get("conv"));    // the blob after its last in-place write
    }

    /**
     * A branching net: c1 = 2x + 1 is read by a and b and again by the last Eltwise; a = 2 c1, b = c1 + 1,
     * sum = a + b, out = sum + c1 = 4 c1 + 1. Before layer b (3) the pass holds c1 (read by b and out) and a (read by
     * sum), not data (last read by c1); before out (5), sum and c1. A pass resumed there from those values alone
     * computes the whole pass's output.
     */
    @Test
    void aPassResumesFromTheBlobsLiveAtALayer() {
        String branching = """
                name: "branching"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 2 } } }
                layer { name: "c1" type: "Power" bottom: "data" top: "c1" power_param { scale: 2 shift: 1 } }
                layer { name: "a" type: "Power" bottom: "c1" top: "a" power_param { scale: 2 } }
                layer { name: "b" type: "Power" bottom: "c1" top: "b" power_param { shift: 1 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                layer { name: "out" type: "Eltwise" bottom: "sum" bottom: "c1" top: "out" }
                """;
        FloatEngine engine = new FloatEngine(net(branching));
        float[] input = {1, -2};                                   // c1 = 3, -3; out = 13, -11
        Map<String, float[]> beforeB;
        Map<String, float[]> beforeOut;
        try (FloatEngine.Pass pass = engine.start(input, 1)) {
            while (pass.next() < 3) {
                pass.step();
            }
            beforeB = pass.live();
            while (pass.next() < 5) {
                pass.step();
            }
            beforeOut = pass.live();
        }
        assertEquals(Set.of("c1", "a"), beforeB.keySet());
        assertArrayEquals(new float[] {3, -3}, beforeB.get("c1"));
        assertArrayEquals(new float[] {6, -6}, beforeB.get("a"));
        assertEquals(Set.of("sum", "c1"), beforeOut.keySet());
        for (Map<String, float[]> live : List.of(beforeB, beforeOut)) {
            try (FloatEngine.Pass pass = engine.resume(live, 1, live == beforeB ? 3 : 5)) {
                assertValues(new float[] {13, -11}, pass.finish(null).get("out"));
            }
        }
    }

    /**
     * conv is seen through a Flatten view and a Split before the in-place ReLU rewrites it: without an observer the
     * engine overwrites arrays in place, and must not overwrite these shared ones.
     */
    @Test
    void inPlaceRewritingNeverReachesAnArrayAnotherBlobShares() {
        String shared = """
                name: "shared"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 1 kernel_size: 1 } }
                layer { name: "flat" type: "Flatten" bottom: "conv" top: "flat" }
                layer { name: "split" type: "Split" bottom: "conv" top: "a" top: "b" }
                layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
                layer { name: "relu_a" type: "ReLU" bottom: "a" top: "a" }
                layer { name: "flat2" type: "Flatten" bottom: "conv" top: "flat2" }
                layer { name: "cat" type: "Concat" bottom: "flat" bottom: "flat2" top: "cat" }
                """;
        FloatEngine engine = new FloatEngine(net(shared));
        INDArray input = Tensors.of(new float[] {0, 2, -3, 0.5f}, 1, 1, 2, 2);
        for (int pass = 0; pass < 2; pass++) { // the second pass reuses the first pass's arrays
            Map<String, INDArray> outputs = engine.forward(input);
            assertEquals(List.of("b", "a", "cat"), List.copyOf(outputs.keySet()));
            assertValues(new float[] {1, -1, 4, 0.5f, 1, 0, 4, 0.5f}, outputs.get("cat"));
            assertValues(new float[] {1, -1, 4, 0.5f}, outputs.get("b"));
            assertValues(new float[] {1, 0, 4, 0.5f}, outputs.get("a"));
        }
        assertValues(new float[] {0, 2, -3, 0.5f}, input); // the caller's input is never written
    }

    @Test
    void outputsStayTheCallersAfterTheNextPass() {
        FloatEngine engine = new FloatEngine(net(NET));
        INDArray first = engine.forward(Tensors.of(new float[] {0, 2, -3, 0.5f}, 1, 1, 2, 2)).get("pool");
        engine.forward(Tensors.of(new float[] {-5, -5, -5, -5}, 1, 1, 2, 2));
        assertValues(new float[] {4}, first);
    }

    @Test
    void aBatchGivenAsFloatsRunsImageByImage() {
        FloatEngine engine = new FloatEngine(net(NET));
        Map<String, INDArray> outputs = engine.forward(new float[] {0, 2, -3, 0.5f, -9, -9, -9, -9}, 2, null);
        assertValues(new float[] {4, 10}, outputs.get("pool"));
        assertEquals(List.of("data"), engine.inputNames());
    }

    @Test
    void anInputOfTheWrongShapeIsAModelError() {
        FloatEngine engine = new FloatEngine(net(NET));
        ModelException e = assertThrows(ModelException.class, () -> engine.forward(Tensors.of(new float[9], 1, 1, 3, 3)));
        assertTrue(e.getMessage().contains("'data'"), e.getMessage());
        assertThrows(ModelException.class, () -> engine.forward(new float[5], 2, null));
    }

    @Test
    void aLayerTheEngineCannotRunFailsWhenTheEngineIsBuiltNamingLayerAndType() {
        Net net = net(NET + "layer { name: \"total\" type: \"Reduction\" bottom: \"pool\" top: \"sum\" "
                + "reduction_param { axis: 1 } }");
        ModelException e = assertThrows(ModelException.class, () -> new FloatEngine(net));
        assertTrue(e.getMessage().contains("'total'") && e.getMessage().contains("Reduction"), e.getMessage());
    }

    private static void assertValues(float[] expected, INDArray actual) {
        float[] got = Tensors.floats(actual);
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-6, "value " + i);
        }
    }
}
