package xportdnn.model;

import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PoolingParameter;

/**
 * Kernel, stride and padding of a 2-D Pooling layer as Caffe's PoolingLayer reads them (global pooling included).
 * The pooled size is computed in long: settings near 2^31 are refused, naming the layer, instead of wrapping.
 */
public record PoolGeometry(String layer, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    public static PoolGeometry of(LayerParameter layer, int[] bottom) {
        String name = layer.getName();
        PoolingParameter p = layer.getPoolingParam();
        if (bottom.length != 4) {
            throw ModelException.inLayer(name, "Pooling needs a 4-D input, got " + Blob.describe(bottom));
        }
        // as Caffe's PoolingLayer: pad and stride either as one value or as both _h and _w, never mixed
        boolean padHw = oneOrBoth(name, "pad", p.hasPad(), p.hasPadH(), p.hasPadW());
        int ph = padHw ? p.getPadH() : p.getPad();
        int pw = padHw ? p.getPadW() : p.getPad();
        boolean strideHw = oneOrBoth(name, "stride", p.hasStride(), p.hasStrideH(), p.hasStrideW());
        int sh = strideHw ? p.getStrideH() : p.getStride();
        int sw = strideHw ? p.getStrideW() : p.getStride();
        if (p.getGlobalPooling()) {
            if (p.hasKernelSize() || p.hasKernelH() || p.hasKernelW()) {
                throw ModelException.inLayer(name, "global_pooling takes no kernel size");
            }
            if (ph != 0 || pw != 0 || sh != 1 || sw != 1) {
                throw ModelException.inLayer(name, "global_pooling takes only pad 0 and stride 1 (as Caffe), got pad "
                        + ph + "x" + pw + ", stride " + sh + "x" + sw);
            }
            return new PoolGeometry(name, bottom[2], bottom[3], 1, 1, 0, 0);
        }
        boolean hw = p.hasKernelH() || p.hasKernelW();
        if (hw == p.hasKernelSize()) {
            throw ModelException.inLayer(name, "give pooling_param.kernel_size or kernel_h and kernel_w");
        }
        int kh = hw ? p.getKernelH() : p.getKernelSize();
        int kw = hw ? p.getKernelW() : p.getKernelSize();
        for (int v : new int[] {kh, kw}) {
            Shapes.unsigned(name, "pooling_param.kernel_size", v);
        }
        for (int v : new int[] {sh, sw}) {
            Shapes.unsigned(name, "pooling_param.stride", v);
        }
        for (int v : new int[] {ph, pw}) {
            Shapes.unsigned(name, "pooling_param.pad", v);
        }
        if (kh == 0 || kw == 0 || sh == 0 || sw == 0) {
            throw ModelException.inLayer(name, "pooling kernel and stride must be positive");
        }
        if (ph >= kh || pw >= kw) {
            throw ModelException.inLayer(name, "pooling pad must be smaller than the kernel");
        }
        return new PoolGeometry(name, kh, kw, sh, sw, ph, pw);
    }

    /** Whether the _h/_w form is used; refuses the two forms mixed or one of _h and _w alone, as Caffe does. */
    private static boolean oneOrBoth(String layer, String what, boolean one, boolean h, boolean w) {
        if (one && (h || w) || h != w) {
            throw ModelException.inLayer(layer, "give pooling_param." + what + " or both " + what + "_h and " + what
                    + "_w, not " + (one ? what + " with " : "only ") + (h && w ? what + "_h and " + what + "_w"
                            : h ? what + "_h" : what + "_w"));
        }
        return h;
    }

    /**
     * Caffe's AVE window extent along the height for output row {@code index} over {@code height} input rows: from
     * the window's (possibly negative) start to its end clipped at height + pad. Less than {@code kernelH} where the
     * window reaches past the input and its padding, and Caffe divides by fewer values than the kernel's.
     */
    public int clippedRows(int index, int height) {
        return clippedExtent(index, strideH, padH, kernelH, height);
    }

    /** {@link #clippedRows} along the width. */
    public int clippedCols(int index, int width) {
        return clippedExtent(index, strideW, padW, kernelW, width);
    }

    private static int clippedExtent(int index, int stride, int pad, int kernel, int size) {
        long start = (long) index * stride - pad;
        return (int) (Math.min(start + kernel, (long) size + pad) - start);
    }

    public int[] outputShape(int[] bottom, PoolingParameter.RoundMode mode) {
        boolean padded = padH > 0 || padW > 0;
        return new int[] {bottom[0], bottom[1], pooled(0, bottom[2], kernelH, strideH, padH, padded, mode),
            pooled(1, bottom[3], kernelW, strideW, padW, padded, mode)};
    }

    /**
     * Caffe's pooled size: ceil (classic) or floor of (in + 2*pad - kernel) / stride, plus one; when the layer pads
     * ({@code padded}: either axis, as Caffe tests {@code pad_h_ || pad_w_}), the last window must start inside the
     * input or its leading padding, else it is dropped (on an axis without padding too). A last window that still
     * starts past the input (no padding, rounded up, stride above the kernel) is refused: it pools nothing.
     */
    private int pooled(int axis, int in, int kernel, int stride, int pad, boolean padded, PoolingParameter.RoundMode mode) {
        long span = (long) in + 2L * pad - kernel;
        long out = (mode == PoolingParameter.RoundMode.FLOOR ? Math.floorDiv(span, stride) : -Math.floorDiv(-span, stride))
                + 1;
        if (padded && (out - 1) * stride >= (long) in + pad) {
            out--;
        }
        if (out > 0 && (out - 1) * stride - pad >= in) { // after the drop above only possible without padding
            String name = axis == 0 ? "row" : "column";
            throw ModelException.inLayer(layer, "Pooling's last window along the " + name + "s starts past the " + in
                    + "-" + name + " input (" + out + " windows, stride " + stride + " > kernel " + kernel
                    + ", rounded up) and holds no input value (Caffe outputs -FLT_MAX there for MAX, 0/0 = NaN for "
                    + "AVE); use round_mode: FLOOR or a kernel at least the stride");
        }
        if (out > Integer.MAX_VALUE) {
            throw ModelException.inLayer(layer, "spatial axis " + axis + " of the output would be " + out + " (input " + in
                    + ", kernel " + kernel + ", stride " + stride + ", pad " + pad + ")");
        }
        return (int) Math.max(out, Integer.MIN_VALUE); // <= 0 is refused with the whole shape
    }
}
