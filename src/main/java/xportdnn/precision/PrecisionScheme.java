package xportdnn.precision;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.PoolGeometry;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/**
 * How one {@code quant_type} turns a layer's {@code precision_param} block into the {@link NumberFormat}s of its
 * input, output and weights. A new quantization scheme plugs in here together with its format.
 */
public interface PrecisionScheme {

    /** The {@code quant_type} value this scheme reads. */
    String quantType();

    /** The format the layer reads its input in. */
    NumberFormat input(Layer layer, PrecisionParameter block);

    /** The format the layer writes its output in. */
    NumberFormat output(Layer layer, PrecisionParameter block);

    /**
     * The format of a convolution's weights.
     *
     * @param weights the weights the device uses: the convolution's own, or fused with its BatchNorm/Scale
     * @param fused   whether {@code weights} are fused ones (the runtime may choose their format itself)
     */
    NumberFormat weights(Layer layer, PrecisionParameter block, Blob weights, boolean fused);

    /** The device's arithmetic for an AVE pooling over {@code window} with this block. */
    AveragePooling averagePooling(Layer layer, PrecisionParameter block, PoolGeometry window);

    /**
     * The arithmetic of an AVE pooling channel by channel: one entry serves every channel (the default), else one
     * per channel (block floating point with an exponent per channel shifts each channel by its own exponents).
     */
    default List<AveragePooling> averagePoolings(Layer layer, PrecisionParameter block, PoolGeometry window) {
        return List.of(averagePooling(layer, block, window));
    }

    /**
     * The layer's block: its {@code precision_param}, else the identical older {@code quantization_param}, else
     * null.
     */
    static PrecisionParameter block(Layer layer) {
        if (layer.param().hasPrecisionParam()) {
            return layer.param().getPrecisionParam();
        }
        if (layer.param().hasQuantizationParam()) {
            try {
                return PrecisionParameter.parseFrom(layer.param().getQuantizationParam().toByteString());
            } catch (InvalidProtocolBufferException e) {
                throw ModelException.inLayer(layer.name(), "unreadable quantization_param: " + e.getMessage());
            }
        }
        return null;
    }

    /**
     * The scheme of a quantized net, from the {@code quant_type} its blocks state: Xilinx when any block says
     * "Xilinx" (the original tool wrote no quant_type on Input and ReLU blocks, whose default reads
     * "DynamicFixed"), F8Net when any says "F8Net" (compare writes it on every block), DynamicFixed when the blocks
     * state nothing else.
     *
     * @throws ModelException when the net has no block, a block names another type (the runtime aborts), or
     *                        blocks state both types
     */
    static PrecisionScheme of(Net net) {
        TreeSet<String> stated = new TreeSet<>();
        List<String> blocks = new ArrayList<>();
        for (Layer l : net.layers()) {
            PrecisionParameter p = block(l);
            if (p == null) {
                continue;
            }
            blocks.add(l.name());
            if (p.hasQuantType()) {
                String type = p.getQuantType();
                if (!type.equals(XilinxScheme.QUANT_TYPE) && !type.equals(DynamicFixedScheme.QUANT_TYPE)
                        && !type.equals(F8NetScheme.QUANT_TYPE)) {
                    throw ModelException.inLayer(l.name(), "quant_type \"" + type + "\" is not \""
                            + XilinxScheme.QUANT_TYPE + "\", \"" + DynamicFixedScheme.QUANT_TYPE + "\" or \""
                            + F8NetScheme.QUANT_TYPE + "\" (compare's F8Net, which CHaiDNN does not run)");
                }
                stated.add(type);
            }
        }
        if (blocks.isEmpty()) {
            throw new ModelException("net '" + net.name() + "' has no precision_param blocks: it is not a quantized "
                    + "CHaiDNN prototxt");
        }
        if (stated.size() > 1) {
            throw new ModelException("net '" + net.name() + "' mixes quant_type \"" + String.join("\" and \"", stated)
                    + "\" blocks");
        }
        if (stated.contains(F8NetScheme.QUANT_TYPE)) {
            return new F8NetScheme(net);
        }
        return stated.contains(XilinxScheme.QUANT_TYPE) ? new XilinxScheme() : new DynamicFixedScheme();
    }
}
