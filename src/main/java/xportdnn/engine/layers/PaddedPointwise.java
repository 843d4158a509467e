package xportdnn.engine.layers;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.ConvGeometry;

/**
 * A 1x1 convolution with stride 1 and padding: every output position within the padding of the border sees
 * nothing but padding, so it holds the bias alone. oneDNN computes that ring too (SqueezeNet v1.0's last
 * convolution, 512 -> 1000 channels, 13 x 13 padded to 15 x 15, at batch 16: 18-24 ms of CPU per call padded, 14-16
 * ms for the 13 x 13 interior alone, measured in one process, 2 threads, load average 9), so the engine runs it
 * unpadded and frames the result with the bias here. The interior is the unpadded convolution's output, value for
 * value (the same oneDNN kernel sums the same products).
 */
final class PaddedPointwise {

    private final int padH;
    private final int padW;
    /** Per output channel; zeros without a bias term. */
    private final float[] bias;
    /** One output row's worth of bias, channels-last: the bias repeated along the padded width (made at first use). */
    private float[] biasRow = new float[0];

    private PaddedPointwise(int padH, int padW, float[] bias) {
        this.padH = padH;
        this.padW = padW;
        this.bias = bias;
    }

    /** The same framing, its bias row its own: for another thread. */
    PaddedPointwise another() {
        return new PaddedPointwise(padH, padW, bias);
    }

    /** The framing for an ungrouped 1x1, stride-1, undilated convolution with padding; null for any other. */
    static PaddedPointwise of(ConvGeometry g, float[] bias) {
        boolean padded = g.pad()[0] > 0 || g.pad()[1] > 0;
        return PointwiseProduct.isPointwise(g) && padded ? new PaddedPointwise(g.pad()[0], g.pad()[1], bias) : null;
    }

    /**
     * Writes into {@code out} ({@code [N, H + 2 padH, W + 2 padW, C]}, dense channels-last) the unpadded result
     * {@code inner} ({@code [N, H, W, C]}, dense channels-last), surrounded by the bias.
     */
    void frame(INDArray inner, INDArray out) {
        int channels = Math.toIntExact(out.size(3));
        int width = Math.toIntExact(inner.size(2));
        int rowValues = Math.toIntExact(out.size(2)) * channels;
        if (biasRow.length != rowValues) {
            biasRow = new float[rowValues];
            for (int i = 0; i < rowValues; i += channels) {
                System.arraycopy(bias, 0, biasRow, i, channels);
            }
        }
        FloatBuffer from = inner.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int edge = padW * channels;
        int innerRow = width * channels;
        int rows = Math.toIntExact(out.size(0) * out.size(1));
        int height = Math.toIntExact(inner.size(1));
        int read = 0;
        for (int row = 0, write = 0; row < rows; row++, write += rowValues) {
            int y = row % (height + 2 * padH);
            if (y < padH || y >= padH + height) {
                to.put(write, biasRow, 0, rowValues);
            } else {
                to.put(write, biasRow, 0, edge);
                to.put(write + edge, from, read, innerRow);
                to.put(write + edge + innerRow, biasRow, 0, edge);
                read += innerRow;
            }
        }
    }
}
