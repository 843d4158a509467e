package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.equalize.CrossLayerEqualization;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.NetParameter;

class LoadedNetTest {

    @TempDir
    Path dir;

    /**
     * Export, compare and validate feed one image; CHaiDNN runs nets of one input (its parser's EP003). Before, a
     * two-input net failed in the first float pass with "no value given for input blob 'aux'", naming no file.
     */
    @Test
    void aNetOfTwoInputsIsRefusedNamingFileAndInputs() throws IOException {
        Path prototxt = dir.resolve("two.prototxt");
        Files.writeString(prototxt, """
                input: "data"
                input_shape { dim: 1 dim: 3 dim: 4 dim: 4 }
                input: "aux"
                input_shape { dim: 1 dim: 3 dim: 4 dim: 4 }
                layer { name: "s" type: "Eltwise" bottom: "data" bottom: "aux" top: "s" }
                """);
        ModelException e = assertThrows(ModelException.class, () -> LoadedNet.load(prototxt, null, false));
        assertEquals(prototxt + ": the net has 2 inputs (data, aux); xportdnn and CHaiDNN run nets of one image "
                + "input", e.getMessage());
    }

    /** An Input layer without a top is the one way a net that loads has no input: refused the same way. */
    @Test
    void aNetWithoutInputIsRefusedNamingFile() throws IOException {
        Path prototxt = Files.writeString(dir.resolve("none.prototxt"), "layer { name: \"in\" type: \"Input\" input_param { shape { dim: 1 } } }\n");
        ModelException e = assertThrows(ModelException.class, () -> LoadedNet.load(prototxt, null, false));
        assertEquals(prototxt + ": the net has no input (an Input layer or an input: field); xportdnn and CHaiDNN "
                + "run nets of one image input", e.getMessage());
    }

    /**
     * --equalize on conv1 (weights [4, -0.25]) -> BatchNorm (mean 0, variance 1) -> Scale (gamma [0.1, 0.5], beta
     * [2, 1]) -> ReLU -> conv2 (1x1, [[1, 4], [-0.5, 2]]): folded, conv1 is [0.4, -0.125] with bias beta; equalized
     * against conv2's r2 = [1, 4], s = sqrt([0.4, 0.03125]); bias absorption takes max(0, beta - 3 gamma) / s =
     * [1.7 / sqrt(0.4), 0] out of conv1, computed from the BatchNorm and Scale before folding.
     */
    @Test
    void equalizingAbsorbsTheFoldedBatchNormsBias() throws IOException {
        Path prototxt = Files.writeString(dir.resolve("bn.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 3 dim: 3 } } }
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "c1"
                        convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }
                layer { name: "bn1" type: "BatchNorm" bottom: "c1" top: "c1" }
                layer { name: "sc1" type: "Scale" bottom: "c1" top: "c1" scale_param { bias_term: true } }
                layer { name: "relu1" type: "ReLU" bottom: "c1" top: "c1" }
                layer { name: "conv2" type: "Convolution" bottom: "c1" top: "c2"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("conv1", blob(new int[] {2, 1, 1, 1}, 4f, -0.25f)))
                .addLayer(layer("bn1", blob(new int[] {2}, 0f, 0f), blob(new int[] {2}, 1f, 1f),
                        blob(new int[] {1}, 1f)))
                .addLayer(layer("sc1", blob(new int[] {2}, 0.1f, 0.5f), blob(new int[] {2}, 2f, 1f)))
                .addLayer(layer("conv2", blob(new int[] {2, 2, 1, 1}, 1f, 4f, -0.5f, 2f), blob(new int[] {2}, 0f, 0f)))
                .build();
        Path caffemodel = Files.write(dir.resolve("bn.caffemodel"), weights.toByteArray());
        CrossLayerEqualization.PairScales pair = LoadedNet.load(prototxt, caffemodel, false, true).equalized()
                .pairs().get(0);
        assertArrayEquals(new double[] {1.7 / Math.sqrt(0.4), 0}, pair.absorbed(), 1e-4);
    }
}
