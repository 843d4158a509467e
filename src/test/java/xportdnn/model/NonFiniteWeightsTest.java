package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.NetParameter;

/** A caffemodel holding inf or NaN, or a BatchNorm whose factor 1/sqrt(var/s + eps) is not finite, is refused when loaded. */
class NonFiniteWeightsTest {

    private static final String NET = """
            name: "bn"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 3 kernel_size: 3 } }
            layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
            layer { name: "scale" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
            """;

    @TempDir
    Path dir;

    /** The net's prototxt and a caffemodel whose blob {@code blob} of layer {@code layer} has value {@code v} at {@code index}. */
    private String failure(String layer, int blob, int index, float v) throws IOException {
        NetParameter definition = TestWeights.definition(NET);
        NetParameter.Builder model = TestWeights.random(definition, 7).toBuilder();
        for (var l : model.getLayerBuilderList()) {
            if (l.getName().equals(layer)) {
                BlobProto.Builder b = l.getBlobsBuilder(blob);
                b.setData(index, v);
            }
        }
        Path prototxt = Files.writeString(dir.resolve("net.prototxt"), NET);
        Path caffemodel = Files.write(dir.resolve("net.caffemodel"), model.build().toByteArray());
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.load(prototxt, caffemodel));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith(caffemodel + ": layer '" + layer + "': "), e.getMessage());
        return e.getMessage().substring((caffemodel + ": ").length());
    }

    @Test
    void infiniteWeight() throws IOException {
        assertEquals("layer 'conv': parameter blob 0 holds Infinity at index 5 (of 3x2x3x3); weights must be finite "
                + "numbers", failure("conv", 0, 5, Float.POSITIVE_INFINITY));
    }

    @Test
    void nanBias() throws IOException {
        assertEquals("layer 'conv': parameter blob 1 holds NaN at index 2 (of 3); weights must be finite numbers",
                failure("conv", 1, 2, Float.NaN));
    }

    @Test
    void infiniteVariance() throws IOException {
        assertEquals("layer 'bn': parameter blob 1 holds -Infinity at index 0 (of 3); weights must be finite numbers",
                failure("bn", 1, 0, Float.NEGATIVE_INFINITY));
    }

    @Test
    void nanScaleGamma() throws IOException {
        assertEquals("layer 'scale': parameter blob 0 holds NaN at index 1 (of 3); weights must be finite numbers",
                failure("scale", 0, 1, Float.NaN));
    }

    @Test
    void negativeVarianceMakesTheFusedScaleNaN() throws IOException {
        assertEquals("layer 'bn': channel 1 of the BatchNorm variance (parameter blob 1: -2.0, scale factor 1.0, eps "
                + "1.0E-5) gives 1 / sqrt(variance + eps) = NaN; it must be a finite number", failure("bn", 1, 1, -2f));
    }

    @Test
    void tinyScaleFactorOverflows() throws IOException {
        assertEquals("layer 'bn': the BatchNorm scale factor (parameter blob 2) is 1.4E-45: 1 / 1.4E-45 is not a "
                + "finite number", failure("bn", 2, 0, 1e-45f));
    }

    @Test
    void zeroVarianceAndEpsGivesInfinity() throws IOException {
        String net = NET.replace("type: \"BatchNorm\" bottom: \"conv\" top: \"conv\" }",
                "type: \"BatchNorm\" bottom: \"conv\" top: \"conv\" batch_norm_param { eps: 0 } }");
        NetParameter definition = TestWeights.definition(net);
        NetParameter.Builder model = TestWeights.random(definition, 7).toBuilder();
        model.getLayerBuilderList().stream().filter(l -> l.getName().equals("bn"))
                .forEach(l -> l.getBlobsBuilder(1).setData(0, 0f));
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.build(definition, model.build()));
        assertTrue(e.getMessage().startsWith("layer 'bn': channel 0 of the BatchNorm variance"), e.getMessage());
        assertTrue(e.getMessage().contains("= Infinity"), e.getMessage());
    }

    @Test
    void finiteWeightsLoad() {
        NetParameter definition = TestWeights.definition(NET);
        assertEquals(4, NetLoader.build(definition, TestWeights.random(definition, 7)).layers().size());
    }
}
