package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.ModelException;

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
}
