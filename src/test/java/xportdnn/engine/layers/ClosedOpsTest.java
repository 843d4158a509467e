package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xportdnn.engine.layers.Cases.array;
import static xportdnn.engine.layers.Cases.assertValues;
import static xportdnn.engine.layers.Cases.blob;
import static xportdnn.engine.layers.Cases.layer;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;

/**
 * {@link LayerOp#close}: an InnerProduct frees its native copy of the weights (VGG-16's fc6 alone is 411 MB) at once;
 * an op sharing them frees only its own buffer, and the op it shares with still computes.
 */
class ClosedOpsTest {

    /** 2 outputs of 3 inputs: (1 2 3; -1 0 4), bias (0.5, -2). */
    private static Layer fc() {
        return layer("name: 'fc' type: 'InnerProduct' inner_product_param { num_output: 2 }",
                blob(new int[] {2, 3}, 1, 2, 3, -1, 0, 4), blob(new float[] {0.5f, -2}));
    }

    @Test
    void aSharingOpFreesOnlyItsOwnBufferAndTheOwnerFreesTheWeights() {
        InnerProduct owner = new InnerProduct(fc());
        LayerOp sharing = new ChannelsFirstInputs(owner, List.of(new int[] {1, 3})).sharingWeights();
        INDArray x = array(new float[] {1, 1, 2}, 1, 3);
        // (1 + 2 + 6) + 0.5 and (-1 + 0 + 8) - 2
        assertValues(new float[] {9.5f, 5}, sharing.forward(List.of(x)).get(0), 1e-6);
        sharing.close();
        assertFalse(owner.weights().wasClosed());
        assertValues(new float[] {9.5f, 5}, owner.forward(List.of(x)).get(0), 1e-6);
        new ChannelsFirstInputs(owner, List.of(new int[] {1, 3})).close();
        assertTrue(owner.weights().wasClosed());
    }
}
