package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Convolution and pooling settings near 2^30..2^32, where int arithmetic wraps: the shapes must come out as the
 * exact formulas give them (computed by hand below), or be refused in one line naming the layer.
 */
class GeometryOverflowTest {

    /** A 1 x 2 x 4 x 4 input, then the layer under test reading "data" and writing "out". */
    private static final String INPUT = """
            name: "big"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }
            """;

    @TempDir
    Path dir;

    private Path net(String layer) throws IOException {
        return Files.writeString(dir.resolve("net.prototxt"), INPUT + layer);
    }

    private static String conv(String settings) {
        return "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"out\" convolution_param { "
                + settings + " } }\n";
    }

    private static String pool(String settings) {
        return "layer { name: \"pool\" type: \"Pooling\" bottom: \"data\" top: \"out\" pooling_param { pool: MAX "
                + settings + " } }\n";
    }

    private int[] outShape(String layer) throws IOException {
        return NetLoader.load(net(layer), null).shape("out");
    }

    private String failure(String layer) throws IOException {
        Path file = net(layer);
        ModelException e = assertThrows(ModelException.class, () -> NetLoader.load(file, null));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    @Test
    void convolutionSizesBeyondIntAreExact() throws IOException {
        // (4 + 2 * 2^30 - 3) / 2^30 + 1 = (2^31 + 1) / 2^30 + 1 = 3; in int, 2 * 2^30 wraps to -2^31
        assertArrayEquals(new int[] {1, 4, 3, 3},
                outShape(conv("num_output: 4 kernel_size: 3 pad: 1073741824 stride: 1073741824")));
        // extent 2^30 * (3 - 1) + 1 = 2^31 + 1; (4 + 2^31 - 2^31 - 1) / 1 + 1 = 4
        assertArrayEquals(new int[] {1, 4, 4, 4},
                outShape(conv("num_output: 4 kernel_size: 3 dilation: 1073741824 pad: 1073741824")));
    }

    @Test
    void convolutionOutputBeyondIntIsRefused() throws IOException {
        // (4 + 2^31 - 3) / 1 + 1 = 2^31 + 2
        assertEquals("layer 'conv': spatial axis 0 of the output would be 2147483650 (input 4, kernel 3, dilation 1, "
                + "stride 1, pad 1073741824)", failure(conv("num_output: 4 kernel_size: 3 pad: 1073741824")));
    }

    @Test
    void unsignedSettingsFrom2To31AreRefusedInWords() throws IOException {
        assertEquals("layer 'conv': convolution_param.pad 3000000000 is too large (at most 2147483647)",
                failure(conv("num_output: 4 kernel_size: 3 pad: 3000000000")));
        assertEquals("layer 'conv': convolution_param.num_output 4294967295 is too large (at most 2147483647)",
                failure(conv("num_output: 4294967295 kernel_size: 1")));
        assertEquals("layer 'pool': pooling_param.pad 2147483648 is too large (at most 2147483647)",
                failure(pool("kernel_size: 3 pad: 2147483648")));
    }

    @Test
    void blobsBeyondOneArrayAreRefusedNamingTheLayer() throws IOException {
        // 2^30 x 4 x 4 = 2^34 output values
        assertEquals("layer 'conv': its output 1x1073741824x4x4 would hold 17179869184 values, more than one blob can "
                + "hold (2147483639); check the layer's kernel/stride/pad/dilation/num_output and the input size",
                failure(conv("num_output: 1073741824 kernel_size: 1")));
        // output (4 + 1022 - 1024) + 1 = 3: 1x65536x3x3 is fine, the weights 65536 x 2 x 1024 x 1024 = 2^37 are not
        assertEquals("layer 'conv': its weight blob 65536x2x1024x1024 would hold 137438953472 values, more than one "
                + "blob can hold (2147483639); check the layer's kernel/stride/pad/dilation/num_output and the input size",
                failure(conv("num_output: 65536 kernel_size: 1024 pad: 511")));
    }

    @Test
    void poolingSizesBeyondIntAreExact() throws IOException {
        // ceil((4 + 2^31 - 2^30 - 1) / 2^30) + 1 = 3; the last window starts at 2 * 2^30 >= 4 + 2^30, past the
        // input: dropped, 2
        assertArrayEquals(new int[] {1, 2, 2, 2},
                outShape(pool("kernel_size: 1073741825 pad: 1073741824 stride: 1073741824")));
        // ceil((4 + 2 * (2^31 - 2) - (2^31 - 1)) / 1) + 1 = 2^31 + 2
        assertEquals("layer 'pool': spatial axis 0 of the output would be 2147483650 (input 4, kernel 2147483647, "
                + "stride 1, pad 2147483646)", failure(pool("kernel_size: 2147483647 pad: 2147483646")));
    }

    @Test
    void tileBeyondIntIsRefused() throws IOException {
        assertEquals("layer 'tile': dimension 4294967296 is too large", failure("layer { name: \"tile\" type: \"Tile\" "
                + "bottom: \"data\" top: \"out\" tile_param { axis: 2 tiles: 1073741824 } }\n"));
    }
}
