package xportdnn.engine.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.model.proto.Caffe.ConvolutionParameter;
import xportdnn.model.proto.Caffe.PoolingParameter;

/**
 * A 2-D sliding window as Caffe reads it from a layer definition: kernel, padding, stride and dilation for
 * height and width, each given either once for both or as a separate {@code _h}/{@code _w} pair.
 */
record Window(int kernelH, int kernelW, int padH, int padW, int strideH, int strideW, int dilationH, int dilationW) {

    static Window of(ConvolutionParameter p, String layer) {
        int[] kernel = p.hasKernelH() || p.hasKernelW()
                ? pair(p.hasKernelH() && p.hasKernelW(), p.getKernelH(), p.getKernelW(), layer, "kernel_h and kernel_w")
                : repeated(p.getKernelSizeList(), -1, layer, "kernel_size");
        int[] pad = p.hasPadH() || p.hasPadW()
                ? new int[] {p.getPadH(), p.getPadW()}
                : repeated(p.getPadList(), 0, layer, "pad");
        int[] stride = p.hasStrideH() || p.hasStrideW()
                ? pair(p.hasStrideH() && p.hasStrideW(), p.getStrideH(), p.getStrideW(), layer, "stride_h and stride_w")
                : repeated(p.getStrideList(), 1, layer, "stride");
        int[] dilation = repeated(p.getDilationList(), 1, layer, "dilation");
        Window w = new Window(kernel[0], kernel[1], pad[0], pad[1], stride[0], stride[1], dilation[0], dilation[1]);
        w.check(layer);
        return w;
    }

    /** The window of a pooling layer; for global pooling the kernel is the input's height and width. */
    static Window of(PoolingParameter p, int inputH, int inputW, String layer) {
        if (p.getGlobalPooling()) {
            return new Window(inputH, inputW, 0, 0, 1, 1, 1, 1);
        }
        int[] kernel = p.hasKernelH() || p.hasKernelW()
                ? pair(p.hasKernelH() && p.hasKernelW(), p.getKernelH(), p.getKernelW(), layer, "kernel_h and kernel_w")
                : new int[] {p.getKernelSize(), p.getKernelSize()};
        int[] pad = p.hasPadH() || p.hasPadW() ? new int[] {p.getPadH(), p.getPadW()} : new int[] {p.getPad(), p.getPad()};
        int[] stride = p.hasStrideH() || p.hasStrideW()
                ? pair(p.hasStrideH() && p.hasStrideW(), p.getStrideH(), p.getStrideW(), layer, "stride_h and stride_w")
                : new int[] {p.getStride(), p.getStride()};
        Window w = new Window(kernel[0], kernel[1], pad[0], pad[1], stride[0], stride[1], 1, 1);
        w.check(layer);
        return w;
    }

    /** Kernel extent once dilated: {@code d * (k - 1) + 1}. */
    int extentH() {
        return dilationH * (kernelH - 1) + 1;
    }

    int extentW() {
        return dilationW * (kernelW - 1) + 1;
    }

    /**
     * The same window with the dilation built into the kernel: extent-sized kernels that are zero between the
     * taps. oneDNN (ND4J's CPU helper) rejects dilated convolutions, and zero taps add exactly nothing.
     */
    Window undilated() {
        return new Window(extentH(), extentW(), padH, padW, strideH, strideW, 1, 1);
    }

    /** Weights {@code [a, b, kernelH, kernelW]} spread out to {@code [a, b, extentH, extentW]} for {@link #undilated}. */
    INDArray dilate(INDArray weights) {
        if (dilationH == 1 && dilationW == 1) {
            return weights;
        }
        INDArray spread = Nd4j.zeros(weights.dataType(), weights.size(0), weights.size(1), extentH(), extentW());
        spread.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, dilationH, extentH()),
                NDArrayIndex.interval(0, dilationW, extentW())).assign(weights);
        return spread;
    }

    private void check(String layer) {
        if (kernelH <= 0 || kernelW <= 0) {
            throw Layers.error(layer, "kernel size must be positive, got " + kernelH + "x" + kernelW);
        }
        if (strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0) {
            throw Layers.error(layer, "stride and dilation must be positive");
        }
    }

    private static int[] pair(boolean both, int h, int w, String layer, String what) {
        if (!both) {
            throw Layers.error(layer, "give both " + what);
        }
        return new int[] {h, w};
    }

    private static int[] repeated(List<Integer> values, int dflt, String layer, String what) {
        switch (values.size()) {
            case 0:
                if (dflt < 0) {
                    throw Layers.error(layer, what + " is missing");
                }
                return new int[] {dflt, dflt};
            case 1:
                return new int[] {values.get(0), values.get(0)};
            case 2:
                return new int[] {values.get(0), values.get(1)};
            default:
                throw Layers.error(layer, what + " has " + values.size() + " values; a 2-D layer takes 1 or 2");
        }
    }
}
