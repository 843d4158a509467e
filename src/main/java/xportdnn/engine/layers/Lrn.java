package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.transforms.Pad;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.LRNParameter;
import xportdnn.model.proto.Caffe.LRNParameter.NormRegion;

/**
 * Caffe's LRN. ACROSS_CHANNELS: {@code x * (k + alpha/n * sum of x^2 over the n channels centred on c)^-beta}
 * (channels beyond the edges count as 0). WITHIN_CHANNEL: {@code x * (1 + alpha * mean of x^2 over the n x n
 * window centred on the pixel)^-beta}, name the window is zero-padded by (n-1)/2 and always divided by n^2
 * (Caffe builds it from an AVE pooling with that padding; k is not used). Both window sums run as a zero-padded
 * average pooling: over (channel, 1) windows for ACROSS_CHANNELS, over n x n windows for WITHIN_CHANNEL.
 */
final class Lrn implements LayerOp {

    private final String name;
    private final int size;
    private final double alpha;
    private final double beta;
    private final double k;
    private final boolean across;
    private final Pooling2DConfig window;

    Lrn(Layer layer) {
        name = layer.name();
        LRNParameter p = layer.param().getLrnParam();
        size = p.getLocalSize();
        if (size % 2 != 1) {
            throw ModelException.inLayer(name, "local_size must be odd, got " + size);
        }
        alpha = p.getAlpha();
        beta = p.getBeta();
        k = p.getK();
        across = p.getNormRegion() == NormRegion.ACROSS_CHANNELS;
        window = Pooling2DConfig.builder().kH(size).kW(across ? 1 : size).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).isNHWC(false).build();
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        Layers.requireRank(name, x, 4);
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        int half = (size - 1) / 2;
        INDArray squares = x.mul(x);
        INDArray mean;
        if (across) {
            // channels become the pooled "height": [N, 1, C, H*W]
            INDArray padded = Nd4j.pad(squares.reshape('c', n, 1, c, h * w),
                    new int[][] {{0, 0}, {0, 0}, {half, half}, {0, 0}}, Pad.Mode.CONSTANT, 0);
            mean = Nd4j.exec(new AvgPooling2D(padded, null, window))[0].reshape('c', n, c, h, w);
        } else {
            INDArray padded = Nd4j.pad(squares, new int[][] {{0, 0}, {0, 0}, {half, half}, {half, half}}, Pad.Mode.CONSTANT, 0);
            mean = Nd4j.exec(new AvgPooling2D(padded, null, window))[0];
        }
        INDArray scale = mean.muli(alpha).addi(across ? k : 1.0);
        return List.of(Transforms.pow(scale, -beta, false).muli(x));
    }
}
