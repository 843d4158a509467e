package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;

class InspectCommandTest {

    /** The last run's status and output. */
    private CliRun last;

    private int run(String... args) {
        last = CliRun.of(args);
        return last.status();
    }

    /** The table row of a layer, split on runs of 2+ spaces into its columns. */
    private List<String> row(String layer) {
        return last.stdout().lines().filter(l -> l.startsWith(layer + " ")).findFirst()
                .map(l -> Arrays.asList(l.split(" {2,}"))).orElseThrow(() -> new AssertionError("no row " + layer));
    }

    /**
     * tinynet, one 3x32x32 image in float32: data 3,072 values = 12,288 B; conv1 8x32x32 = 32,768 B (bn1, scale1,
     * relu1 in place, writing nothing); pool1 8x16x16 = 8,192 B. conv1 runs with data and its own output live:
     * 45,056 B, the peak. Parameters at 4 bytes: conv1 8x3x3x3 + 8 = 224 (896 B); bn1 mean 8, variance 8 and the
     * scale factor (68 B); conv2 16x8x3x3 + 16 = 1,168; scale1 16, fc 3x16 + 3 = 51: 1,476 in all, 5,904 B.
     */
    @Test
    void memoryListsEachLayersBytesAndThePeak() {
        assertEquals(0, run("inspect", "--deploy_model", "examples/tinynet/deploy.prototxt", "--memory"),
                last.stderr());
        assertEquals(List.of("conv1", "Convolution", "32,768", "45,056", "896"), row("conv1"));
        assertEquals(List.of("bn1", "BatchNorm", "0", "32,768", "68"), row("bn1"));
        assertEquals(List.of("pool1", "Pooling", "8,192", "40,960", "0"), row("pool1"));
        assertTrue(last.stdout().contains("activation footprint (float32, one image): 45,056 bytes at the peak"),
                last.stdout());
        assertTrue(last.stdout().contains("parameters (float32): 5,904 bytes"), last.stdout());
    }

    /** A plain ReLU after a convolution (through its BatchNorm/Scale too) runs fused into it on the device. */
    @Test
    void aReluAfterAConvolutionIsFusedOnTheDevice() {
        assertEquals(0, run("inspect", "--deploy_model", "examples/tinynet/deploy.prototxt"), last.stderr());
        assertEquals("device (fused)", row("relu1").get(5)); // conv1 -> bn1 -> scale1 -> relu1
        assertEquals("device (fused)", row("relu2").get(5)); // conv2 -> relu2
        assertEquals("software", row("prob").get(5));
    }

    @Test
    void cifar10FullFlagsItsLrnLayers() {
        SharedData.Model model = SharedData.Model.CIFAR10_FULL;
        assertEquals(0, run("inspect", "--deploy_model", model.prototxt().toString(),
                "--weights", model.caffemodel().toString()), last.stderr());
        // conv1: 32 filters of 3x5x5 plus 32 biases; (32 + 2*2 - 5)/1 + 1 = 32
        assertEquals(List.of("conv1", "Convolution", "data -> conv1", "1x32x32x32", "2,432", "device"), row("conv1"));
        // pool1: ceil((32 - 3)/2) + 1 = 16
        assertEquals(List.of("pool1", "Pooling", "conv1 -> pool1", "1x32x16x16", "0", "device"), row("pool1"));
        assertEquals(List.of("norm1", "LRN", "pool1 -> norm1", "1x32x16x16", "0", "UNSUPPORTED"), row("norm1"));
        // ip1: 10 x (64*4*4) weights plus 10 biases, run on the host
        assertEquals(List.of("ip1", "InnerProduct", "pool3 -> ip1", "1x10", "10,250", "software"), row("ip1"));
        assertEquals(List.of("relu1", "ReLU", "pool1 -> pool1", "1x32x16x16", "0", "software"), row("relu1"));
        List<String> lines = last.stdout().lines().toList();
        // 2,432 + 25,632 + 51,264 + 10,250 parameters; multiply-adds 32*32*32*75 + 32*16*16*800 + 64*8*8*800 + 10*1024
        assertEquals("14 layers, 89,578 parameters, 12,298,240 multiply-adds per image", lines.get(lines.size() - 2));
        assertEquals("2 layers unsupported by CHaiDNN: norm1 (LRN), norm2 (LRN)", lines.get(lines.size() - 1));
    }

    @Test
    void columnsAreAligned() {
        assertEquals(0, run("inspect", "--deploy_model", SharedData.Model.LENET.prototxt().toString()));
        List<String> table = last.stdout().lines().filter(l -> !l.contains("multiply-adds")).toList();
        int shapeColumn = table.get(0).indexOf("output shape");
        int chaidnnColumn = table.get(0).indexOf("CHaiDNN");
        for (String line : table.subList(1, table.size())) {
            assertEquals(' ', line.charAt(shapeColumn - 1), line);
            assertTrue(Character.isDigit(line.charAt(shapeColumn)), line);
            assertTrue(Character.isLetter(line.charAt(chaidnnColumn)), line);
        }
        assertFalse(last.stdout().contains("unsupported by CHaiDNN"), "LeNet runs entirely on CHaiDNN");
        assertEquals(List.of("conv1", "Convolution", "data -> conv1", "64x20x24x24", "520", "device"), row("conv1"));
    }

    @Test
    void longBlobListsAreShortenedToTheFirstAndACount() {
        SharedData.Model model = SharedData.Model.YUFACE;
        assertEquals(0, run("inspect", "--deploy_model", model.prototxt().toString(),
                "--weights", model.caffemodel().toString()), last.stderr());
        assertEquals("conv3_3_norm_mbox_loc_flat + 3 more -> mbox_loc", row("mbox_loc").get(2));
    }

    @Test
    void missingFileIsOneLineAndExitTwo(@TempDir Path dir) {
        Path absent = dir.resolve("absent.prototxt");
        assertEquals(2, run("inspect", "--deploy_model", absent.toString()));
        assertEquals("xportdnn: error: " + absent + ": no such file\n", last.stderr().replace("\r\n", "\n"));
        assertEquals("", last.stdout());
    }

    /** A MAX window holding no input value (Caffe's -FLT_MAX there would poison calibration) is refused at load. */
    @Test
    void aMaxPoolingWindowPastTheInputIsOneLineNamingTheLayer(@TempDir Path dir) throws java.io.IOException {
        Path prototxt = java.nio.file.Files.writeString(dir.resolve("deploy.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 4 dim: 4 } } }
                layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
                        pooling_param { pool: MAX kernel_size: 1 stride: 2 } }
                """);
        assertTrue(run("inspect", "--deploy_model", prototxt.toString()) != 0);
        String error = last.stderr().replace("\r\n", "\n");
        assertTrue(error.contains("layer 'pool': Pooling's last window along the rows starts past the 4-row input "
                + "(3 windows, stride 2 > kernel 1, rounded up) and holds no input value"), error);
        assertEquals(1, error.lines().count(), error);
    }

    /**
     * inspect says on stderr what the export would warn of: a BatchNorm no Scale reads (CHaiDNN's runtime stops at
     * it) and a 3x5 kernel its table does not list; a net without such layers gets nothing on stderr.
     */
    @Test
    void theExportsDeviceWarningsAreSaidOnStderr(@TempDir Path dir) throws java.io.IOException {
        Path prototxt = java.nio.file.Files.writeString(dir.resolve("deploy.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 8 dim: 8 } } }
                layer { name: "c1" type: "Convolution" bottom: "data" top: "c1"
                        convolution_param { num_output: 4 kernel_h: 3 kernel_w: 5 } }
                layer { name: "bn" type: "BatchNorm" bottom: "c1" top: "c1" }
                """);
        assertEquals(0, run("inspect", "--deploy_model", prototxt.toString()), last.stderr());
        List<String> warnings = last.stderr().lines().toList();
        assertEquals(2, warnings.size(), last.stderr());
        assertTrue(warnings.stream().allMatch(w -> w.startsWith("xportdnn: warning: ")), last.stderr());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'c1'") && w.contains("kernel 3x5")), last.stderr());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'bn'") && w.contains("no Scale")), last.stderr());
        assertTrue(last.stdout().contains("c1 "), last.stdout());

        assertEquals(0, run("inspect", "--deploy_model", "examples/tinynet/deploy.prototxt"), last.stderr());
        assertEquals("", last.stderr());
    }
}
