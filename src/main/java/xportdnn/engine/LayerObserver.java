package xportdnn.engine;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;

/**
 * Sees every layer's own output during {@link FloatEngine#forward}, in execution order, the Input layers first.
 * For an in-place layer (top == bottom) this is the value after that layer, while the producing layer was shown
 * the value before it. The arrays are the engine's working memory: read them during the call (streaming
 * statistics, writing a dump) and {@code dup()} any you keep, since later layers or the next pass reuse them.
 * They have Caffe's axes but not always C-ordered memory (a convolution's output is a {@code [N, C, H, W]} view of
 * channels-last memory): read them through INDArray indexing or a {@code dup('c')}, never their raw buffer.
 */
@FunctionalInterface
public interface LayerObserver {

    /** @param tops the layer's outputs in its top order, each batch first */
    void onOutput(Layer layer, List<INDArray> tops);
}
