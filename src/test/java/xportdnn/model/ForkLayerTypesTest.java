package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fork's layer type is named as what it is, with the Caffe layers that compute it, and its file is not read further. */
class ForkLayerTypesTest {

    private static final String INPUT = "name: \"f\"\nlayer { name: \"data\" type: \"Input\" top: \"data\""
            + " input_param { shape { dim: 1 dim: 32 dim: 8 dim: 8 } } }\n";

    @TempDir
    Path dir;

    private String failure(String layer) throws IOException {
        Path p = Files.writeString(dir.resolve("fork.prototxt"), INPUT + layer + "\n");
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.load(p, null));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith(p + ": layer '"), e.getMessage());
        return e.getMessage().substring(p.toString().length() + 2);
    }

    @Test
    void depthwiseConvolutionsOfForksAreCaffesGroupedConvolution() throws IOException {
        for (String type : new String[] {"ConvolutionDepthwise", "DepthwiseConvolution"}) {
            String m = failure("layer { name: \"dw\" type: \"" + type + "\" bottom: \"data\" top: \"dw\""
                    + " convolution_param { num_output: 16 kernel_size: 3 } }");
            assertTrue(m.startsWith("layer 'dw': unknown layer type '" + type + "': a depthwise convolution"), m);
            // the fork's layer filters each of its input's 32 channels; ConvolutionDepthwise ignores num_output
            assertTrue(m.endsWith("write type: \"Convolution\", num_output: 32 and group: 32 in its convolution_param"), m);
        }
    }

    @Test
    void aForksParameterBlockDoesNotHideTheType() throws IOException {
        // upsample_param is no Caffe field: the parse fails on it, but the type is what the user must change
        String m = failure("layer { name: \"up\" type: \"Upsample\" bottom: \"data\" top: \"up\" upsample_param { scale: 2 } }");
        assertTrue(m.startsWith("layer 'up': unknown layer type 'Upsample': nearest-neighbour upsampling"), m);
        m = failure("layer { name: \"sh\" type: \"ShuffleChannel\" bottom: \"data\" top: \"sh\""
                + " shuffle_channel_param { group: 4 } }");
        assertTrue(m.contains("Reshape to N x g x C/g x H*W (g its groups), a Permute with order 0, 2, 1, 3"), m);
    }

    @Test
    void aFieldUnknownInAKnownLayerIsStillThatError() throws IOException {
        Path p = Files.writeString(dir.resolve("field.prototxt"), INPUT
                + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" upsample_param { scale: 2 } }\n");
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.load(p, null));
        assertEquals(p + ":3:56: unknown field 'upsample_param' in caffe.LayerParameter", e.getMessage());
    }

    @Test
    void segNetsUnpoolingIsToldFromNearestUpsampling() throws IOException {
        String m = failure("layer { name: \"up\" type: \"Upsample\" bottom: \"data\" bottom: \"data\" top: \"up\" }");
        assertTrue(m.contains("SegNet's unpooling") && !m.contains("Deconvolution"), m);
    }

    @Test
    void activationsOfForksNameTheirFormula() throws IOException {
        assertTrue(failure("layer { name: \"a\" type: \"ReLU6\" bottom: \"data\" top: \"data\" }")
                .contains("min(max(x, 0), 6)"));
        assertTrue(failure("layer { name: \"a\" type: \"Mish\" bottom: \"data\" top: \"data\" }")
                .contains("x * tanh(ln(1 + e^x))"));
        assertTrue(failure("layer { name: \"a\" type: \"Python\" bottom: \"data\" top: \"p\""
                + " python_param { module: \"rpn.proposal\" layer: \"Proposal\" } }")
                .contains("(module 'rpn.proposal', layer 'Proposal'), which only pycaffe can run"));
    }

    @Test
    void aMiscasedCaffeTypeGetsTheCaffeName() throws IOException {
        String m = failure("layer { name: \"r\" type: \"Innerproduct\" bottom: \"data\" top: \"r\" }");
        assertEquals("layer 'r': unknown layer type 'Innerproduct' (close: InnerProduct)", m);
    }

    /** An Accuracy or loss layer left in a deploy file: its missing 'label' bottom, or its type, says what it is. */
    @Test
    void aTrainingLayerLeftInTheDeployFileIsNamedAsOne() throws IOException {
        String m = failure("layer { name: \"acc\" type: \"Accuracy\" bottom: \"data\" bottom: \"label\" top: \"acc\""
                + " include { phase: TEST } }");
        assertEquals("layer 'acc': bottom 'label' is not produced by any earlier layer (" + ForkLayerTypes.TRAINING + ")", m);
        m = failure("layer { name: \"label\" type: \"Input\" top: \"label\" input_param { shape { dim: 1 } } }\n"
                + "layer { name: \"loss\" type: \"SoftmaxWithLoss\" bottom: \"data\" bottom: \"label\" top: \"loss\" }");
        assertEquals("layer 'loss': unknown layer type 'SoftmaxWithLoss': " + ForkLayerTypes.TRAINING, m);
        m = failure("layer { name: \"c\" type: \"Convolution\" bottom: \"lable\" top: \"c\" }");
        assertEquals("layer 'c': bottom 'lable' is not produced by any earlier layer", m);
    }
}
