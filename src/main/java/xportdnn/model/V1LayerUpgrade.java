package xportdnn.model;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Map;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.ParamSpec;
import xportdnn.model.proto.Caffe.V1LayerParameter;
import xportdnn.model.proto.Caffe.V1LayerParameter.LayerType;

/** Converts one V1 {@code layers} entry to a current {@code layer}, as Caffe's UpgradeV1LayerParameter does. */
final class V1LayerUpgrade {

    private static final Map<LayerType, String> TYPE_NAMES = Map.ofEntries(
            Map.entry(LayerType.NONE, ""),
            Map.entry(LayerType.ABSVAL, "AbsVal"),
            Map.entry(LayerType.ACCURACY, "Accuracy"),
            Map.entry(LayerType.ARGMAX, "ArgMax"),
            Map.entry(LayerType.BNLL, "BNLL"),
            Map.entry(LayerType.CONCAT, "Concat"),
            Map.entry(LayerType.CONTRASTIVE_LOSS, "ContrastiveLoss"),
            Map.entry(LayerType.CONVOLUTION, "Convolution"),
            Map.entry(LayerType.DATA, "Data"),
            Map.entry(LayerType.DECONVOLUTION, "Deconvolution"),
            Map.entry(LayerType.DROPOUT, "Dropout"),
            Map.entry(LayerType.DUMMY_DATA, "DummyData"),
            Map.entry(LayerType.EUCLIDEAN_LOSS, "EuclideanLoss"),
            Map.entry(LayerType.ELTWISE, "Eltwise"),
            Map.entry(LayerType.EXP, "Exp"),
            Map.entry(LayerType.FLATTEN, "Flatten"),
            Map.entry(LayerType.HDF5_DATA, "HDF5Data"),
            Map.entry(LayerType.HDF5_OUTPUT, "HDF5Output"),
            Map.entry(LayerType.HINGE_LOSS, "HingeLoss"),
            Map.entry(LayerType.IM2COL, "Im2col"),
            Map.entry(LayerType.IMAGE_DATA, "ImageData"),
            Map.entry(LayerType.INFOGAIN_LOSS, "InfogainLoss"),
            Map.entry(LayerType.INNER_PRODUCT, "InnerProduct"),
            Map.entry(LayerType.LRN, "LRN"),
            Map.entry(LayerType.MEMORY_DATA, "MemoryData"),
            Map.entry(LayerType.MULTINOMIAL_LOGISTIC_LOSS, "MultinomialLogisticLoss"),
            Map.entry(LayerType.MVN, "MVN"),
            Map.entry(LayerType.POOLING, "Pooling"),
            Map.entry(LayerType.POWER, "Power"),
            Map.entry(LayerType.RELU, "ReLU"),
            Map.entry(LayerType.SIGMOID, "Sigmoid"),
            Map.entry(LayerType.SIGMOID_CROSS_ENTROPY_LOSS, "SigmoidCrossEntropyLoss"),
            Map.entry(LayerType.SILENCE, "Silence"),
            Map.entry(LayerType.SOFTMAX, "Softmax"),
            Map.entry(LayerType.SOFTMAX_LOSS, "SoftmaxWithLoss"),
            Map.entry(LayerType.SPLIT, "Split"),
            Map.entry(LayerType.SLICE, "Slice"),
            Map.entry(LayerType.TANH, "TanH"),
            Map.entry(LayerType.WINDOW_DATA, "WindowData"),
            Map.entry(LayerType.THRESHOLD, "Threshold"));

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
