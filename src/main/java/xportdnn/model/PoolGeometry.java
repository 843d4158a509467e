package xportdnn.model;

import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PoolingParameter;

/** Kernel, stride and padding of a 2-D Pooling layer as Caffe's PoolingLayer reads them (global pooling included). */
public record PoolGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    public static PoolGeometry of(LayerParameter layer, int[] bottom) {
        String name = layer.getName();
        PoolingParameter p = layer.getPoolingParam();
        if (bottom.length != 4) {
            throw ModelException.inLayer(name, "Pooling needs a 4-D input, got " + Blob.describe(bottom));
        }
        if (p.getGlobalPooling()) {
            if (p.hasKernelSize() || p.hasKernelH() || p.hasKernelW()) {
                throw ModelException.inLayer(name, "global_pooling takes no kernel size");
            }
            return new PoolGeometry(bottom[2], bottom[3], 1, 1, 0, 0);
        }
        boolean hw = p.hasKernelH() || p.hasKernelW();
        if (hw == p.hasKernelSize()) {
            throw ModelException.inLayer(name, "give pooling_param.kernel_size or kernel_h and kernel_w");
        }
        int kh = hw ? p.getKernelH() : p.getKernelSize();
        int kw = hw ? p.getKernelW() : p.getKernelSize();
        boolean padHw = p.hasPadH() || p.hasPadW();
        int ph = padHw ? p.getPadH() : p.getPad();
        int pw = padHw ? p.getPadW() : p.getPad();
        boolean strideHw = p.hasStrideH() || p.hasStrideW();
        int sh = strideHw ? p.getStrideH() : p.getStride();
        int sw = strideHw ? p.getStrideW() : p.getStride();
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0) {
            throw ModelException.inLayer(name, "pooling kernel and stride must be positive");
        }
        if (ph >= kh || pw >= kw) {
            throw ModelException.inLayer(name, "pooling pad must be smaller than the kernel");
        }
        return new PoolGeometry(kh, kw, sh, sw, ph, pw);
    }

    public int[] outputShape(int[] bottom, PoolingParameter.RoundMode mode) {
        return new int[] {bottom[0], bottom[1],
                pooled(bottom[2], kernelH, strideH, padH, mode), pooled(bottom[3], kernelW, strideW, padW, mode)};
    }

    /**
     * Caffe's pooled size: ceil (classic) or floor of (in + 2*pad - kernel) / stride, plus one; with padding, the
     * last window must start inside the input (not only in the padding), else it is dropped.
     */
    private static int pooled(int in, int kernel, int stride, int pad, PoolingParameter.RoundMode mode) {
        double steps = (double) (in + 2 * pad - kernel) / stride;
        int out = (int) (mode == PoolingParameter.RoundMode.FLOOR ? Math.floor(steps) : Math.ceil(steps)) + 1;
        if (pad > 0 && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }
}
