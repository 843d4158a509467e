package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/** A layer the simulator computes in float: its op, and the op's copy of the weights, are made when first run. */
class FloatStepTest {

    @Test
    void anInnerProductIsMadeOnlyWhenRunAndComputesWxPlusB() {
        NetParameter definition = TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } }
                layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }
                """);
        NetParameter weights = NetParameter.newBuilder().addLayer(layer("fc",
                blob(new int[] {2, 3}, 1, 2, 3, -1, 0, 4), blob(new int[] {2}, 0.5f, -2))).build();
        Net net = NetLoader.build(definition, weights);
        Layer fc = net.layer("fc");
        FloatStep step = new FloatStep(fc, net.bottomShapes(fc));
        assertFalse(step.made());
        List<SimTensor> out = step.run(List.of(SimTensor.ofValues(new int[] {1, 3}, new float[] {1, 1, 2})));
        assertTrue(step.made());
        // (1 + 2 + 6) + 0.5 and (-1 + 0 + 8) - 2
        assertArrayEquals(new float[] {9.5f, 5}, out.get(0).values(), 1e-6f);
        step.close(); // its op and the op's weights freed; run again, it makes them again
        assertFalse(step.made());
        out = step.run(List.of(SimTensor.ofValues(new int[] {1, 3}, new float[] {1, 1, 2})));
        assertArrayEquals(new float[] {9.5f, 5}, out.get(0).values(), 1e-6f);
    }
}
