package xportdnn.model;

import java.util.List;
import xportdnn.model.proto.Caffe.ConvolutionParameter;
import xportdnn.model.proto.Caffe.LayerParameter;

/**
 * The geometry of a Convolution or Deconvolution as Caffe's BaseConvolutionLayer reads it: the channel axis,
 * channels in and out, groups, and per spatial axis the kernel, stride, padding and dilation (from either the
 * repeated {@code kernel_size/stride/pad/dilation} fields, one value or one per axis, or the 2-D {@code _h/_w} ones).
 * Sizes are computed in long and refused, naming the layer, when they leave int: these uint32 settings near 2^31
 * would otherwise wrap into plausible-looking shapes.
 */
public record ConvGeometry(String layer, int axis, int inChannels, int outChannels, int group, int[] kernel, int[] stride, int[] pad,
                    int[] dilation) {

    public static ConvGeometry of(LayerParameter layer, int[] bottom) {
        String name = layer.getName();
        ConvolutionParameter p = layer.getConvolutionParam();
        int axis = Shapes.axis(name, "convolution_param.axis", p.getAxis(), bottom.length);
        int spatial = bottom.length - axis - 1;
        int[] kernel = p.hasKernelH() || p.hasKernelW()
                ? hw(name, "kernel", spatial, p.getKernelH(), p.getKernelW(), p.getKernelSizeCount())
                : repeated(name, "kernel_size", spatial, p.getKernelSizeList(), -1);
        int[] stride = p.hasStrideH() || p.hasStrideW()
                ? hw(name, "stride", spatial, p.getStrideH(), p.getStrideW(), p.getStrideCount())
                : repeated(name, "stride", spatial, p.getStrideList(), 1);
        int[] pad = p.hasPadH() || p.hasPadW()
                ? hw(name, "pad", spatial, p.getPadH(), p.getPadW(), p.getPadCount())
                : repeated(name, "pad", spatial, p.getPadList(), 0);
        int[] dilation = repeated(name, "dilation", spatial, p.getDilationList(), 1);
        for (int i = 0; i < spatial; i++) {
            Shapes.unsigned(name, "convolution_param.kernel_size", kernel[i]);
            Shapes.unsigned(name, "convolution_param.stride", stride[i]);
            Shapes.unsigned(name, "convolution_param.pad", pad[i]);
            Shapes.unsigned(name, "convolution_param.dilation", dilation[i]);
            if (kernel[i] == 0 || stride[i] == 0 || dilation[i] == 0) {
                throw ModelException.inLayer(name, "kernel, stride and dilation must be positive");
            }
        }
        int in = bottom[axis];
        int out = Shapes.unsigned(name, "convolution_param.num_output", p.getNumOutput());
        int group = Shapes.unsigned(name, "convolution_param.group", p.getGroup());
        if (out <= 0) {
            throw ModelException.inLayer(name, "convolution_param.num_output must be positive");
        }
        if (group <= 0 || in % group != 0 || out % group != 0) {
            throw ModelException.inLayer(name, "group " + group + " must divide both the input channels (" + in
                    + ") and num_output (" + out + ")");
        }
        return new ConvGeometry(name, axis, in, out, group, kernel, stride, pad, dilation);
    }

    /** Output shape of a Convolution ({@code deconvolution == false}) or Deconvolution over {@code bottom}. */
    public int[] outputShape(int[] bottom, boolean deconvolution) {
        int[] top = bottom.clone();
        top[axis] = outChannels;
        for (int i = 0; i < kernel.length; i++) {
            long in = bottom[axis + 1 + i];
            long extent = (long) dilation[i] * (kernel[i] - 1) + 1; // < 2^62: no overflow
            long size = deconvolution
                    ? stride[i] * (in - 1) + extent - 2L * pad[i]
                    : (in + 2L * pad[i] - extent) / stride[i] + 1; // truncating, as Caffe's C++
            if (!deconvolution && in + 2L * pad[i] < extent) {
                String axisName = kernel.length == 2 ? (i == 0 ? "height" : "width") : "spatial axis " + i;
                throw ModelException.inLayer(layer, "its kernel's " + axisName + " " + extent
                        + (dilation[i] > 1 ? " (" + kernel[i] + " dilated by " + dilation[i] + ")" : "")
                        + " is larger than its padded input's, " + in + " + 2 x " + pad[i] + " = " + (in + 2L * pad[i])
                        + " (input " + Blob.describe(bottom) + ")");
            }
            if (size > Integer.MAX_VALUE) {
                throw ModelException.inLayer(layer, "spatial axis " + i + " of the output would be " + size + " (input "
                        + in + ", kernel " + kernel[i] + ", dilation " + dilation[i] + ", stride " + stride[i] + ", pad "
                        + pad[i] + ")");
            }
            top[axis + 1 + i] = (int) Math.max(size, Integer.MIN_VALUE); // <= 0 is refused with the whole shape
        }
        return top;
    }

    public long kernelVolume() {
        return Shapes.count(kernel, 0, kernel.length);
    }

    private static int[] hw(String layer, String what, int spatial, int h, int w, int repeatedCount) {
        if (spatial != 2) {
            throw ModelException.inLayer(layer, what + "_h/" + what + "_w need 2 spatial axes, the input has " + spatial);
        }
        if (repeatedCount > 0) {
            throw ModelException.inLayer(layer, "give either " + what + "_h/" + what + "_w or the repeated form, not both");
        }
        return new int[] {h, w};
    }

    /** One value for all spatial axes, one per axis, or (when absent) {@code dflt}; -1 = required. */
    private static int[] repeated(String layer, String what, int spatial, List<Integer> values, int dflt) {
        int[] out = new int[spatial];
        if (values.isEmpty() && dflt < 0) {
            throw ModelException.inLayer(layer, "convolution_param." + what + " is missing");
        }
        if (values.size() > 1 && values.size() != spatial) {
            throw ModelException.inLayer(layer, "convolution_param." + what + " has " + values.size()
                    + " values; give 1 or one per spatial axis (" + spatial + ")");
        }
        for (int i = 0; i < spatial; i++) {
            out[i] = values.isEmpty() ? dflt : values.get(values.size() == 1 ? 0 : i);
        }
        return out;
    }
}
