package xportdnn.engine.layers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.model.proto.Caffe.PoolingParameter;

/**
 * Caffe's Pooling (MAX or AVE, global or windowed). Caffe rounds the output size up by default and then drops a
 * last window that would start in the padding; ND4J pools only whole windows, so the input is padded here
 * explicitly (with -FLT_MAX for MAX, Caffe's initial maximum) to exactly the extent the windows cover, and
 * pooled without further padding. For AVE Caffe divides each window's sum by its size clipped to the padded
 * input ({@code min(start + kernel, size + pad) - start}, before clipping to the real input), which a
 * precomputed per-position factor map applies to ND4J's plain average. A channels-last input (the output of a
 * convolution) is pooled channels-last, which oneDNN does without reordering.
 */
final class Pooling implements LayerOp {

    private final String name;
    private final LayerParameter definition;
    private final PoolingParameter param;
    private final boolean max;
    /** Geometry per input height and width: nets see one size, but the same op may meet another. */
    private final Map<Long, Geometry> geometries = new ConcurrentHashMap<>();
    private final Buffers buffers = new Buffers();
    private final DerivedView inputStorage = new DerivedView(Tensors::channelsLastStorage);
    private final DerivedView outputView = new DerivedView(Tensors::channelsFirstView);

    Pooling(Layer layer, List<int[]> bottomShapes) {
        name = layer.name();
        definition = layer.param();
        param = definition.getPoolingParam();
        if (param.getPool() == PoolMethod.STOCHASTIC) {
            throw ModelException.inLayer(name, "STOCHASTIC pooling is not supported");
        }
        max = param.getPool() == PoolMethod.MAX;
        new Geometry(bottomShapes.get(0)); // rejects a bad window when the net is loaded
    }

    @Override
    public boolean takesChannelsLast() {
        return true;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray x = bottoms.get(0);
        Layers.requireRank(name, x, 4);
        int[] shape = Layers.intShape(x);
        Geometry g = geometries.computeIfAbsent(((long) shape[2] << 32) | shape[3], k -> new Geometry(shape));
        INDArray storage = inputStorage.of(x);
        boolean channelsLast = storage != null;
        INDArray in = g.pad(channelsLast ? storage : buffers.dense(2, x), max ? -Float.MAX_VALUE : 0f, channelsLast);
        INDArray out = channelsLast ? buffers.get(0, x.size(0), g.outH, g.outW, x.size(1))
                : buffers.get(0, x.size(0), x.size(1), g.outH, g.outW);
        (channelsLast ? g.channelsLastCall : g.call).run(in.length(), NativeCall.ONE_THREAD_MAX_VALUES, out, in);
        if (g.averageFactor != null) {
            out.muli(channelsLast ? g.averageFactorChannelsLast : g.averageFactor);
        }
        return List.of(channelsLast ? outputView.of(out) : out);
    }

    /** How one input size is padded and pooled. */
    private final class Geometry {
        final PoolGeometry window;
        final int outH;
        final int outW;
        /** Padding after the input (negative: rows/columns no window reaches, cropped away). */
        final int bottom;
        final int right;
        final NativeCall call;
        final NativeCall channelsLastCall;
        /**
         * {@code kernelH * kernelW / clipped window size} per output position, shaped {@code [1, 1, outH, outW]};
         * null for MAX and where every window is whole (the factors would all be 1).
         */
        final INDArray averageFactor;
        /** The same, shaped {@code [1, outH, outW, 1]}. */
        final INDArray averageFactorChannelsLast;

        Geometry(int[] shape) {
            window = PoolGeometry.of(definition, shape);
            int[] out = window.outputShape(shape, param.getRoundMode());
            outH = out[2];
            outW = out[3];
            int h = shape[2];
            int w = shape[3];
            if (outH <= 0 || outW <= 0) {
                throw ModelException.inLayer(name, "input " + h + "x" + w + " is smaller than the pooling window");
            }
            bottom = (outH - 1) * window.strideH() + window.kernelH() - window.padH() - h;
            right = (outW - 1) * window.strideW() + window.kernelW() - window.padW() - w;
            call = call(false);
            channelsLastCall = call(true);
            averageFactor = max ? null : averageFactor(h, w);
            averageFactorChannelsLast = averageFactor == null ? null : averageFactor.reshape(1, outH, outW, 1);
        }

        private NativeCall call(boolean channelsLast) {
            Pooling2DConfig config = Pooling2DConfig.builder()
                    .kH(window.kernelH()).kW(window.kernelW()).sH(window.strideH()).sW(window.strideW())
                    .pH(0).pW(0).dH(1).dW(1).paddingMode(PaddingMode.VALID).isNHWC(channelsLast).build();
            INDArray arraysGivenPerCall = Nd4j.empty();
            return new NativeCall(max ? new MaxPooling2D(arraysGivenPerCall, null, config)
                    : new AvgPooling2D(arraysGivenPerCall, null, config));
        }

        /**
         * {@code x} ({@code [N, C, H, W]}, or {@code [N, H, W, C]} when {@code channelsLast}) cropped and padded with
         * {@code value} to the extent the windows cover, in the same layout; x itself if it fits.
         */
        INDArray pad(INDArray x, float value, boolean channelsLast) {
            int top = window.padH();
            int left = window.padW();
            if (top == 0 && left == 0 && bottom == 0 && right == 0) {
                return x;
            }
            int hAxis = channelsLast ? 1 : 2;
            int wAxis = hAxis + 1;
            long h = x.size(hAxis) + Math.min(bottom, 0);
            long w = x.size(wAxis) + Math.min(right, 0);
            long[] shape = x.shape().clone();
            shape[hAxis] = top + h + Math.max(bottom, 0);
            shape[wAxis] = left + w + Math.max(right, 0);
            INDArray padded = buffers.get(1, shape);
            padded.assign(value);
            INDArrayIndex[] inside = NDArrayIndex.allFor(padded);
            inside[hAxis] = NDArrayIndex.interval(top, top + h);
            inside[wAxis] = NDArrayIndex.interval(left, left + w);
            INDArrayIndex[] kept = NDArrayIndex.allFor(x);
            kept[hAxis] = NDArrayIndex.interval(0, h);
            kept[wAxis] = NDArrayIndex.interval(0, w);
            padded.get(inside).assign(x.get(kept));
            return padded;
        }

        private INDArray averageFactor(int h, int w) {
            float[] factor = new float[outH * outW];
            boolean allWhole = true;
            for (int oh = 0; oh < outH; oh++) {
                int rows = window.clippedRows(oh, h);
                for (int ow = 0; ow < outW; ow++) {
                    int cols = window.clippedCols(ow, w);
                    factor[oh * outW + ow] = (float) window.kernelH() * window.kernelW() / (rows * cols);
                    allWhole &= rows * cols == window.kernelH() * window.kernelW();
                }
            }
            return allWhole ? null : Tensors.of(factor, 1, 1, outH, outW);
        }
    }

    @Override
    public void close() {
        buffers.close();
    }
}
