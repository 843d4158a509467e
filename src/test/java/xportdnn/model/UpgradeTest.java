package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.ParamSpec;
import xportdnn.model.proto.Caffe.Phase;
import xportdnn.model.proto.Caffe.V1LayerParameter;

/** V1 nets, input declarations and phase rules become the current format as Caffe's upgrade_proto.cpp does. */
class UpgradeTest {

    @TempDir
    Path dir;

    /** cifar10_quick is V1 in both files (SOURCE.md): enum types, blobs_lr, legacy 4-D blob dims. */
    @Test
    void cifar10QuickV1() {
        SharedData.Model model = SharedData.Model.CIFAR10_QUICK;
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        assertEquals(List.of("Input", "Convolution", "Pooling", "ReLU", "Convolution", "ReLU", "Pooling", "Convolution",
                "ReLU", "Pooling", "InnerProduct", "InnerProduct", "Softmax"),
                net.layers().stream().map(Layer::type).toList());
        LayerParameter conv1 = net.layer("conv1").param();
        assertEquals(List.of(1f, 2f), conv1.getParamList().stream().map(ParamSpec::getLrMult).toList());
        assertFalse(conv1.getParam(0).hasDecayMult(), "no weight_decay in the file");
        assertEquals(32, conv1.getConvolutionParam().getNumOutput());
        assertEquals(2, conv1.getConvolutionParam().getPad(0));
        assertEquals(0, net.definition().getLayersCount());

        // The caffemodel stores ip1's weight as 1x1x64x1024 and its bias as 1x1x1x64.
        V1LayerParameter stored = CaffemodelReader.read(model.caffemodel()).getLayersList().stream()
                .filter(l -> l.getName().equals("ip1")).findFirst().orElseThrow();
        BlobProto weight = stored.getBlobs(0);
        assertEquals(List.of(1, 1, 64, 1024),
                List.of(weight.getNum(), weight.getChannels(), weight.getHeight(), weight.getWidth()));
        Blob ip1 = net.layer("ip1").weights().get(0);
        assertArrayEquals(new int[] {64, 1024}, ip1.shape());
        assertEquals(weight.getData(12345), ip1.data()[12345]);
        assertArrayEquals(new int[] {64}, net.layer("ip1").weights().get(1).shape());
        assertEquals(stored.getBlobs(1).getData(63), net.layer("ip1").weights().get(1).data()[63]);
    }

    /** Caffe accepts double_data blobs; they are narrowed to float. */
    @Test
    void doubleDataBecomesFloat() throws IOException {
        Path p = Files.writeString(dir.resolve("scale.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 } } }
                layer { name: "scale" type: "Scale" bottom: "data" top: "data" }
                """);
        BlobProto blob = BlobProto.newBuilder().setShape(xportdnn.model.proto.Caffe.BlobShape.newBuilder().addDim(2))
                .addDoubleData(0.1).addDoubleData(-2.5).build();
        Path model = Files.write(dir.resolve("scale.caffemodel"), NetParameter.newBuilder()
                .addLayer(LayerParameter.newBuilder().setName("scale").setType("Scale").addBlobs(blob)).build().toByteArray());
        Blob weight = NetLoader.load(p, model).layer("scale").weights().get(0);
        assertArrayEquals(new int[] {2}, weight.shape());
        assertArrayEquals(new float[] {0.1f, -2.5f}, weight.data());
    }

    @Test
    void inputDimBecomesAnInputLayerNamedAfterItsBlob() {
        Net net = NetLoader.load(SharedData.Model.SQUEEZENET.prototxt(), null);
        Layer first = net.layers().get(0);
        assertEquals("data", first.name());
        assertEquals("Input", first.type());
        assertEquals(List.of("data"), first.tops());
        assertArrayEquals(new int[] {1, 3, 227, 227}, first.topShapes().get(0));
        assertEquals(List.of(1L, 3L, 227L, 227L), first.param().getInputParam().getShape(0).getDimList());
        NetParameter definition = net.definition();
        assertTrue(definition.getInputCount() == 0 && definition.getInputDimCount() == 0);
    }

    @Test
    void inputShapeBecomesAnInputLayer() {
        Net net = NetLoader.load(SharedData.Model.YUFACE.prototxt(), null);
        assertEquals("data", net.layers().get(0).name());
        assertArrayEquals(new int[] {1, 3, 240, 320}, net.shape("data"));
        assertEquals(0, net.definition().getInputShapeCount());
    }

    @Test
    void severalInputsGetOneLayerEachInOrder() throws IOException {
        Path p = Files.writeString(dir.resolve("two.prototxt"), """
                input: "a"
                input: "b"
                input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
                input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                """);
        Net net = NetLoader.load(p, null);
        assertEquals(List.of("a", "b", "sum"), net.layers().stream().map(Layer::name).toList());
        assertArrayEquals(new int[] {1, 3, 8, 8}, net.shape("sum"));
    }

    /** LeNet's caffemodel has the training-only 'mnist' (Data) and 'loss' layers; the deploy net ignores them. */
    @Test
    void trainingOnlyCaffemodelLayersAreIgnored() {
        SharedData.Model model = SharedData.Model.LENET;
        List<String> stored = CaffemodelReader.read(model.caffemodel()).getLayerList().stream()
                .map(LayerParameter::getName).toList();
        assertTrue(stored.containsAll(List.of("mnist", "loss")), stored.toString());
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        assertEquals(List.of("data", "conv1", "pool1", "conv2", "pool2", "ip1", "relu1", "ip2", "prob"),
                net.layers().stream().map(Layer::name).toList());
    }

    /**
     * YuFaceDetectNet's caffemodel carries varint fields 145-148 in every layer; 147 is our quantization_param
     * (a message), so it must stay an unknown field rather than be decoded.
     */
    @Test
    void unknownCaffemodelFieldsAreSkipped() {
        NetParameter stored = CaffemodelReader.read(SharedData.Model.YUFACE.caffemodel());
        assertEquals(82, stored.getLayerCount());
        for (LayerParameter layer : stored.getLayerList()) {
            for (int field = 145; field <= 148; field++) {
                assertEquals(List.of(1L), layer.getUnknownFields().getField(field).getVarintList(), layer.getName());
            }
            assertFalse(layer.hasQuantizationParam());
        }
    }

    @Test
    void v1FieldsAreCarriedOver() throws IOException {
        Path p = Files.writeString(dir.resolve("v1.prototxt"), """
                input: "data"
                input_dim: 1 input_dim: 4 input_dim: 6 input_dim: 6
                layers {
                  name: "conv" type: CONVOLUTION bottom: "data" top: "conv"
                  blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0
                  param: "shared_w" blob_share_mode: PERMISSIVE
                  convolution_param { num_output: 2 kernel_size: 3 group: 2 }
                }
                layers { name: "drop" type: DROPOUT bottom: "conv" top: "conv" dropout_param { dropout_ratio: 0.25 } }
                layers { name: "flat" type: FLATTEN bottom: "conv" top: "flat" loss_weight: 0.5 }
                layers { name: "train_only" type: SOFTMAX bottom: "flat" top: "p" include { phase: TRAIN } }
                """);
        Net net = NetLoader.load(p, null);
        LayerParameter conv = net.layer("conv").param();
        assertEquals(2, conv.getParamCount());
        assertEquals("shared_w", conv.getParam(0).getName());
        assertEquals(ParamSpec.DimCheckMode.PERMISSIVE, conv.getParam(0).getShareMode());
        assertEquals(List.of(1f, 2f), conv.getParamList().stream().map(ParamSpec::getLrMult).toList());
        assertEquals(List.of(1f, 0f), conv.getParamList().stream().map(ParamSpec::getDecayMult).toList());
        assertEquals(2, conv.getConvolutionParam().getGroup());
        assertEquals(0.25f, net.layer("drop").param().getDropoutParam().getDropoutRatio());
        assertEquals(List.of(0.5f), net.layer("flat").param().getLossWeightList());
        assertEquals(List.of("data", "conv", "drop", "flat"), net.layers().stream().map(Layer::name).toList());
        assertArrayEquals(new int[] {1, 32}, net.shape("flat"));
    }

    /** The ResNet-20 train/test file: TRAIN-only layers go, TEST-only and unrestricted layers stay. */
    @Test
    void testPhaseFilterOnATrainTestFile() {
        NetParameter full = PrototxtReader.read(SharedData.require("models/resnet20_cifar10/res20_cifar_train_test.prototxt"));
        NetParameter test = PhaseFilter.testPhase(full);
        long trainOnly = full.getLayerList().stream()
                .filter(l -> l.getIncludeCount() == 1 && l.getInclude(0).getPhase() == Phase.TRAIN).count();
        assertTrue(trainOnly > 0);
        assertEquals(full.getLayerCount() - trainOnly, test.getLayerCount());
        assertTrue(test.getLayerList().stream().noneMatch(l -> l.getIncludeList().stream()
                .anyMatch(r -> r.getPhase() == Phase.TRAIN)));
        assertTrue(test.getLayerList().stream().anyMatch(l -> l.getType().equals("Accuracy")));
    }

    @Test
    void stateRules() throws IOException {
        Path p = Files.writeString(dir.resolve("rules.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 } } }
                layer { name: "excluded" type: "ReLU" bottom: "data" top: "a" exclude { phase: TEST } }
                layer { name: "staged" type: "ReLU" bottom: "data" top: "b" include { stage: "deploy" } }
                layer { name: "not_staged" type: "ReLU" bottom: "data" top: "c" include { not_stage: "deploy" } }
                layer { name: "leveled" type: "ReLU" bottom: "data" top: "d" include { min_level: 1 } }
                layer { name: "low" type: "ReLU" bottom: "data" top: "e" include { max_level: 0 phase: TEST } }
                """);
        Net net = NetLoader.load(p, null);
        assertEquals(List.of("data", "not_staged", "low"), net.layers().stream().map(Layer::name).toList());
    }
}
