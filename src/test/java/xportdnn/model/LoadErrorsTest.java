package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/** Bad input gives one line that names the file and the place or layer, and says what is wrong. */
class LoadErrorsTest {

    private static final String INPUT = """
            name: "tiny"
            layer {
              name: "data"
              type: "Input"
              top: "data"
              input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } }
            }
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String failure(Path prototxt, Path caffemodel) {
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.load(prototxt, caffemodel));
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void syntaxErrorNamesFileLineAndColumn() throws IOException {
        Path p = write("bad.prototxt", INPUT + "layer {\n  name: \"c\"\n  type: Convolution\"\n}\n");
        assertEquals(p + ":10:9: Expected string.", failure(p, null));
    }

    @Test
    void unknownFieldIsAnError() throws IOException {
        Path p = write("unknown.prototxt", INPUT.replace("  top: \"data\"\n", "  top: \"data\"\n  colour: 3\n"));
        assertEquals(p + ":6:3: unknown field 'colour' in caffe.LayerParameter", failure(p, null));
    }

    @Test
    void unknownLayerType() throws IOException {
        Path p = write("type.prototxt", INPUT + "layer { name: \"odd\" type: \"Frobnicate\" bottom: \"data\" top: \"odd\" }\n");
        assertEquals(p + ": layer 'odd': unknown layer type 'Frobnicate'", failure(p, null));
    }

    @Test
    void trainingDataLayerInADeployNet() {
        Path trainTest = SharedData.require("models/resnet20_cifar10/res20_cifar_train_test.prototxt");
        assertEquals(trainTest + ": layer 'Data1': unknown layer type 'Data' (a training data layer: a deploy "
                + "prototxt starts with an Input layer or 'input:' instead)", failure(trainTest, null));
    }

    /** Caffe: "Top blob 'a' produced by multiple sources"; not an earlier layer's, the same one's. */
    @Test
    void aTopNamedTwiceByOneLayer() throws IOException {
        Path p = write("twice.prototxt", INPUT + "layer { name: \"sp\" type: \"Split\" bottom: \"data\" top: \"a\" top: \"a\" }\n");
        assertEquals(p + ": layer 'sp': names top 'a' twice; each top is a blob of its own", failure(p, null));
        Path inPlace = write("inplace.prototxt", INPUT
                + "layer { name: \"sp\" type: \"Split\" bottom: \"data\" top: \"data\" top: \"data\" }\n");
        assertEquals(inPlace + ": layer 'sp': names top 'data' twice; each top is a blob of its own", failure(inPlace, null));
    }

    @Test
    void undefinedBottom() throws IOException {
        Path p = write("bottom.prototxt", INPUT + "layer { name: \"r\" type: \"ReLU\" bottom: \"dta\" top: \"r\" }\n");
        assertEquals(p + ": layer 'r': bottom 'dta' is not produced by any earlier layer", failure(p, null));
    }

    @Test
    void missingFiles() throws IOException {
        Path absent = dir.resolve("absent.prototxt");
        assertEquals(absent + ": no such file", failure(absent, null));
        Path p = write("ok.prototxt", INPUT);
        Path absentModel = dir.resolve("absent.caffemodel");
        assertEquals(absentModel + ": no such file", failure(p, absentModel));
    }

    @Test
    void truncatedCaffemodel() throws IOException {
        byte[] whole = Files.readAllBytes(SharedData.Model.LENET.caffemodel());
        Path half = Files.write(dir.resolve("half.caffemodel"), Arrays.copyOf(whole, whole.length / 2));
        String message = failure(SharedData.Model.LENET.prototxt(), half);
        assertTrue(message.startsWith(half + ": not a Caffe model: truncated or corrupt"), message);
    }

    @Test
    void emptyCaffemodel() throws IOException {
        Path empty = Files.write(dir.resolve("empty.caffemodel"), new byte[0]);
        assertEquals(empty + ": not a Caffe model: it holds no layers (the file is empty)",
                failure(SharedData.Model.LENET.prototxt(), empty));
    }

    @Test
    void prototxtGivenAsCaffemodel() {
        Path text = SharedData.Model.LENET.prototxt();
        assertTrue(failure(text, text).startsWith(text + ": not a Caffe model"));
    }

    /** The original tool crashed on this (spec section 6); LeNet's conv1 stores weights and bias. */
    @Test
    void biasTermMismatch() throws IOException {
        assertEquals(SharedData.Model.LENET.caffemodel() + ": layer 'conv1': the prototxt expects 1 parameter blob "
                + "(bias_term: false) but the caffemodel has 2", lenetFailure("num_output: 20\n    bias_term: false"));
    }

    @Test
    void wrongBlobShape() throws IOException {
        assertEquals(SharedData.Model.LENET.caffemodel() + ": layer 'conv1': parameter blob 0 is 20x1x5x5 in the "
                + "caffemodel but the prototxt implies 64x1x5x5", lenetFailure("num_output: 64"));
    }

    /** The error of LeNet's own caffemodel against its prototxt with conv1's "num_output: 20" replaced. */
    private String lenetFailure(String conv1) throws IOException {
        String lenet = Files.readString(SharedData.Model.LENET.prototxt());
        Path p = write("lenet.prototxt", lenet.replaceFirst("num_output: 20", conv1));
        return failure(p, SharedData.Model.LENET.caffemodel());
    }

    @Test
    void layerWithoutWeightsInTheCaffemodel() throws IOException {
        Path p = write("conv.prototxt", INPUT + """
                layer { name: "extra" type: "Convolution" bottom: "data" top: "extra"
                        convolution_param { num_output: 3 kernel_size: 3 } }
                """);
        Path model = writeModel("other.caffemodel", LayerParameter.newBuilder().setName("unrelated").setType("ReLU"));
        assertEquals(model + ": layer 'extra': the prototxt expects 2 parameter blobs (bias_term: true) but the "
                + "caffemodel has no layer of that name", failure(p, model));
    }

    /** Legacy 4-D dims are accepted only when they are the expected shape padded with leading 1s. */
    @Test
    void legacyDimsMustMatchThePaddedShape() throws IOException {
        Path p = write("ip.prototxt", INPUT + """
                layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
                        inner_product_param { num_output: 3 bias_term: false } }
                """);
        Path good = writeModel("good.caffemodel", LayerParameter.newBuilder().setName("ip")
                .addBlobs(legacy(1, 1, 3, 32)));
        assertEquals(3 * 32, NetLoader.load(p, good).layer("ip").weights().get(0).count());
        Path bad = writeModel("bad.caffemodel", LayerParameter.newBuilder().setName("ip")
                .addBlobs(legacy(1, 3, 1, 32)));
        assertEquals(bad + ": layer 'ip': parameter blob 0 is 1x3x1x32 in the caffemodel but the prototxt implies 3x32",
                failure(p, bad));
    }

    @Test
    void blobWithTooFewValues() throws IOException {
        Path p = write("ip.prototxt", INPUT + """
                layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
                        inner_product_param { num_output: 2 bias_term: false } }
                """);
        BlobProto.Builder blob = BlobProto.newBuilder().setShape(BlobShape.newBuilder().addDim(2).addDim(32));
        for (int i = 0; i < 63; i++) {
            blob.addData(i);
        }
        Path model = writeModel("short.caffemodel", LayerParameter.newBuilder().setName("ip").addBlobs(blob));
        assertEquals(model + ": layer 'ip': parameter blob 0 (2x32) should hold 64 values but the caffemodel stores 63",
                failure(p, model));
    }

    @Test
    void shapeErrorsNameTheLayer() throws IOException {
        Path p = write("sum.prototxt", INPUT + """
                layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "pool" top: "sum" }
                """);
        assertEquals(p + ": layer 'sum': Eltwise inputs differ in shape: 1x2x4x4, 1x2x2x2", failure(p, null));
        // a second bottom of the input's own shape, read from Caffe's default axis 1: the fix named
        Path gate = write("gate.prototxt", INPUT + """
                layer { name: "gate" type: "Scale" bottom: "data" bottom: "data" top: "gated" }
                """);
        assertEquals(gate + ": layer 'gate': the second bottom 1x2x4x4 does not match the input 1x2x4x4 from axis 1; "
                + "it matches from axis 0: give scale_param { axis: 0 }", failure(gate, null));
        // refused when the net loads, as Caffe does, not at the first image (without the file's name)
        Path product = write("product.prototxt", INPUT + """
                layer { name: "prod" type: "Eltwise" bottom: "data" bottom: "data" top: "prod"
                        eltwise_param { operation: PROD coeff: 1 coeff: 2 } }
                """);
        assertEquals(product + ": layer 'prod': eltwise_param.coeff is only for operation SUM, not PROD (Caffe "
                + "refuses it): delete the coeff values", failure(product, null));
        Path big = write("big.prototxt", INPUT + """
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 4 kernel_size: 7 } }
                """);
        assertEquals(big + ": layer 'conv': its kernel's height 7 is larger than its padded input's, 4 + 2 x 0 = 4 "
                + "(input 1x2x4x4)", failure(big, null));
        Path dilated = write("dilated.prototxt", INPUT + """
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 4 kernel_size: 3 dilation: 2 pad: 0 } }
                """);
        assertEquals(dilated + ": layer 'conv': its kernel's height 5 (3 dilated by 2) is larger than its padded "
                + "input's, 4 + 2 x 0 = 4 (input 1x2x4x4)", failure(dilated, null));
    }

    @Test
    void v0NetsAreRejected() throws IOException {
        Path p = write("v0.prototxt", "layers { layer { name: \"conv1\" type: \"conv\" } bottom: \"data\" top: \"conv1\" }\n");
        assertEquals(p + ": layer 'conv1': V0 format not supported (upgrade the file with Caffe's "
                + "upgrade_net_proto_text first)", failure(p, null));
    }

    @Test
    void inputDimCountMustBeFourPerInput() throws IOException {
        Path p = write("dims.prototxt", "input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 32\n");
        assertEquals(p + ": 1 'input' blobs but 3 input_dim values (4 per input expected)", failure(p, null));
    }

    private static BlobProto legacy(int n, int c, int h, int w) {
        BlobProto.Builder b = BlobProto.newBuilder().setNum(n).setChannels(c).setHeight(h).setWidth(w);
        for (int i = 0; i < n * c * h * w; i++) {
            b.addData(i);
        }
        return b.build();
    }

    private Path writeModel(String name, LayerParameter.Builder layer) throws IOException {
        return Files.write(dir.resolve(name), NetParameter.newBuilder().addLayer(layer).build().toByteArray());
    }
}
