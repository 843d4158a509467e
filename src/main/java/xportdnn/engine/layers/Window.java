package xportdnn.engine.layers;

import java.util.List;
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
