package xportdnn.model;

import static xportdnn.model.proto.Caffe.V1LayerParameter.LayerType.*;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Map;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.ParamSpec;
import xportdnn.model.proto.Caffe.V1LayerParameter;

/** Converts one V1 {@code layers} entry to a current {@code layer}, as Caffe's UpgradeV1LayerParameter does. */
final class V1LayerUpgrade {

    /** V1 enum names to type strings: the descriptor's for the types the tool knows, Caffe's for the others. */
    private static final Map<V1LayerParameter.LayerType, String> TYPE_NAMES = Map.ofEntries(
            Map.entry(NONE, ""),
            Map.entry(ABSVAL, LayerType.ABSVAL.typeName()),
            Map.entry(ACCURACY, "Accuracy"),
            Map.entry(ARGMAX, LayerType.ARG_MAX.typeName()),
            Map.entry(BNLL, LayerType.BNLL.typeName()),
            Map.entry(CONCAT, LayerType.CONCAT.typeName()),
            Map.entry(CONTRASTIVE_LOSS, "ContrastiveLoss"),
            Map.entry(CONVOLUTION, LayerType.CONVOLUTION.typeName()),
            Map.entry(DATA, "Data"),
            Map.entry(DECONVOLUTION, LayerType.DECONVOLUTION.typeName()),
            Map.entry(DROPOUT, LayerType.DROPOUT.typeName()),
            Map.entry(DUMMY_DATA, "DummyData"),
            Map.entry(EUCLIDEAN_LOSS, "EuclideanLoss"),
            Map.entry(ELTWISE, LayerType.ELTWISE.typeName()),
            Map.entry(EXP, LayerType.EXP.typeName()),
            Map.entry(FLATTEN, LayerType.FLATTEN.typeName()),
            Map.entry(HDF5_DATA, "HDF5Data"),
            Map.entry(HDF5_OUTPUT, "HDF5Output"),
            Map.entry(HINGE_LOSS, "HingeLoss"),
            Map.entry(IM2COL, "Im2col"),
            Map.entry(IMAGE_DATA, "ImageData"),
            Map.entry(INFOGAIN_LOSS, "InfogainLoss"),
            Map.entry(INNER_PRODUCT, LayerType.INNER_PRODUCT.typeName()),
            Map.entry(LRN, LayerType.LRN.typeName()),
            Map.entry(MEMORY_DATA, "MemoryData"),
            Map.entry(MULTINOMIAL_LOGISTIC_LOSS, "MultinomialLogisticLoss"),
            Map.entry(MVN, LayerType.MVN.typeName()),
            Map.entry(POOLING, LayerType.POOLING.typeName()),
            Map.entry(POWER, LayerType.POWER.typeName()),
            Map.entry(RELU, LayerType.RELU.typeName()),
            Map.entry(SIGMOID, LayerType.SIGMOID.typeName()),
            Map.entry(SIGMOID_CROSS_ENTROPY_LOSS, "SigmoidCrossEntropyLoss"),
            Map.entry(SILENCE, "Silence"),
            Map.entry(SOFTMAX, LayerType.SOFTMAX.typeName()),
            Map.entry(SOFTMAX_LOSS, "SoftmaxWithLoss"),
            Map.entry(SPLIT, LayerType.SPLIT.typeName()),
            Map.entry(SLICE, LayerType.SLICE.typeName()),
            Map.entry(TANH, LayerType.TANH.typeName()),
            Map.entry(WINDOW_DATA, "WindowData"),
            Map.entry(THRESHOLD, LayerType.THRESHOLD.typeName()));

    private V1LayerUpgrade() {
    }

    static LayerParameter upgrade(V1LayerParameter v1) {
        LayerParameter.Builder layer = LayerParameter.newBuilder()
                .setName(v1.getName())
                .setType(TYPE_NAMES.getOrDefault(v1.getType(), v1.getType().name()))
                .addAllBottom(v1.getBottomList())
                .addAllTop(v1.getTopList())
                .addAllInclude(v1.getIncludeList())
                .addAllExclude(v1.getExcludeList())
                .addAllBlobs(v1.getBlobsList())
                .addAllLossWeight(v1.getLossWeightList());
        for (int i = 0; i < v1.getParamCount(); i++) {
            param(layer, i).setName(v1.getParam(i));
        }
        for (int i = 0; i < v1.getBlobShareModeCount(); i++) {
            param(layer, i).setShareMode(ParamSpec.DimCheckMode.forNumber(v1.getBlobShareMode(i).getNumber()));
        }
        for (int i = 0; i < v1.getBlobsLrCount(); i++) {
            param(layer, i).setLrMult(v1.getBlobsLr(i));
        }
        for (int i = 0; i < v1.getWeightDecayCount(); i++) {
            param(layer, i).setDecayMult(v1.getWeightDecay(i));
        }
        copyTypeParameters(v1, layer);
        return layer.build();
    }

    /** The i-th ParamSpec, adding empty ones up to it (V1 kept each blob setting in its own list). */
    private static ParamSpec.Builder param(LayerParameter.Builder layer, int i) {
        while (layer.getParamCount() <= i) {
            layer.addParam(ParamSpec.getDefaultInstance());
        }
        return layer.getParamBuilder(i);
    }

    /**
     * Every {@code *_param} block (convolution_param, transform_param, loss_param ...) has the same name and
     * message type in both schemas, so it is copied field by field through the descriptors.
     */
    private static void copyTypeParameters(V1LayerParameter v1, LayerParameter.Builder layer) {
        for (Map.Entry<FieldDescriptor, Object> field : v1.getAllFields().entrySet()) {
            String name = field.getKey().getName();
            if (!name.endsWith("_param")) {
                continue;
            }
            FieldDescriptor target = LayerParameter.getDescriptor().findFieldByName(name);
            if (target == null) {
                throw new IllegalStateException("V1 field " + name + " has no counterpart in LayerParameter");
            }
            layer.setField(target, field.getValue());
        }
    }
}
