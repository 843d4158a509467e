package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;

/** compare end to end on the shipped example, whose float net gets all 60 images of val.txt right. */
class CompareCommandTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";

    @TempDir
    Path dir;

    /*
     * Hand counts for tinynet (BatchNorm/Scale folded into conv1): conv1 8x3x3x3 = 216 weights + 8 biases, conv2
     * 16x8x3x3 = 1,152 + 16, fc 3x16 = 48 + 3. Float: 1,443 x 4 B = 5,772 B. naive:8 quantizes fc too, as a
     * convolution: 216 + 8x4 + 4 (one scale) + 1,152 + 16x4 + 4 + 48 + 3x4 + 4 = 1,536 B; xilinx:8 keeps fc in
     * float (CHaiDNN runs it in software) and a float32 scale per convolution output channel: 216 + 8x4 + 8x4 + 1,152
     * + 16x4 + 16x4 + 51x4 = 1,764 B; bfp:8 a one-byte exponent per convolution output channel and one for fc's
     * weights (BFP's reference: the fc "as whole"), 1,536 - 12 + 25 = 1,549 B, and one per channel of every
     * activation blob: the image 3, conv1 8, pool1 8, conv2 16, pool2 16, fc 3: 1,603 B; aciq:4 the convolutions'
     * codes at widths averaging 4 (108 + 576) and fc, the classifier, at 8 (48, the paper's code), with 6 bytes per
     * output channel instead of one scale per layer: 1,536 - 684 + 342 - 12 + 27 x 6 = 1,002 B; f8net:8 a one-byte
     * fractional length per output channel: 1,536 - 12 + 27 = 1,551 B. Footprint (one image): conv1 runs with the
     * image (3x32x32) and its output (8x32x32) live, 11,264 values: 45,056 B in float, 11,264 B at 8 bits, 5,632 B
     * at 4 bits; aciq:4 holds the image in 16-bit codes (its conv1 reads it so) and conv1's ReLU output in unsigned
     * 4-bit ones: 3,072 x 2 + 8,192 / 2 = 10,240 B.
     */
    @Test
    void scoresEverySchemeOnTheSameImagesWithSizesAndJsonAndReport() throws Exception {
        Path json = dir.resolve("c.json");
        Path html = dir.resolve("c.html");
        CliRun run = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--calibration_directory", "examples/tinynet/images", "--mean_value",
                "128,128,128", "--schemes", "naive:8,xilinx:8,naive:4,bfp:8,aciq:4,f8net:8", "--json", json.toString(), "--report",
                html.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("tinynet: 60 images scored, calibrated on 8"), run.stdout());
        String j = Files.readString(json);
        assertEquals(60, number(j, "\"images\": ([0-9]+)"));
        assertEquals(1.0, number(j, "\"float\": \\{\\s*\"top1\": ([0-9.]+)"), j);
        assertEquals(5772, number(j, "\"float\": \\{[^}]*\"model_bytes\": ([0-9]+)"), j);
        assertEquals(45056, number(j, "\"float\": \\{[^}]*\"activation_footprint_bytes\": ([0-9]+)"), j);
        // naive 8-bit keeps the float scores of the easy example
        assertEquals(1.0, scheme(j, "naive:8", "top1"), j);
        assertEquals(0.0, scheme(j, "naive:8", "top1_drop_points"), j);
        assertEquals(1.0, scheme(j, "naive:8", "top1_agreement"), j);
        assertEquals(1536, scheme(j, "naive:8", "model_bytes"), j);
        assertEquals(11264, scheme(j, "naive:8", "activation_footprint_bytes"), j);
        assertEquals(1764, scheme(j, "xilinx:8", "model_bytes"), j);
        assertEquals(5632, scheme(j, "naive:4", "activation_footprint_bytes"), j);
        assertEquals(1603, scheme(j, "bfp:8", "model_bytes"), j);
        assertEquals(1.0, scheme(j, "bfp:8", "top1"), j); // 8-bit mantissas keep the easy example too
        assertEquals(1002, scheme(j, "aciq:4", "model_bytes"), j);
        assertEquals(10240, scheme(j, "aciq:4", "activation_footprint_bytes"), j);
        assertEquals(1551, scheme(j, "f8net:8", "model_bytes"), j);
        assertEquals(11264, scheme(j, "f8net:8", "activation_footprint_bytes"), j);
        // 4 bits cost accuracy; the drop is float minus the scheme, in points
        double top1 = scheme(j, "naive:4", "top1");
        assertEquals(100 * (1 - top1), scheme(j, "naive:4", "top1_drop_points"), 1e-9, j);
        assertTrue(j.contains("\"top1_drop_ci95_points\": ["), j);
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("data:image/png;base64,"), "report");
        assertTrue(page.contains("naive:4"), "the table is on the page");
    }

    /*
     * LeNet's parameters by hand: conv1 20x1x5x5 = 500 weights + 20 biases, conv2 50x20x5x5 = 25,000 + 50, ip1
     * 500x800 = 400,000 + 500, ip2 10x500 = 5,000 + 10: 431,080, 1,724,320 B in float. CHaiDNN's modes keep ip1 and
     * ip2 in float (405,510 x 4 = 1,622,040 B): xilinx:8 25,500 + 70 x 4 + 70 x 4 (a float32 scale per output
     * channel) + 1,622,040 = 1,648,100 B; dynamicfixed:8 25,500 + 280 + 2 (one fl per layer) + 1,622,040 = 1,647,822
     * B. The others quantize ip1 and ip2 too, about one byte per parameter at 8 bits: naive:8 430,500 + 580 x 4 +
     * 4 x 4 (one scale per layer) = 432,836 B; f8net:8 430,500 + 2,320 + 580 (one fl per output channel) = 433,400
     * B; bfp:8 430,500 + 2,320 + 20 + 50 + 1 + 1 (weight exponents: per output channel, one per fully connected
     * layer) + 651 activation exponents (the image 1, conv1 20, pool1 20, conv2 50, pool2 50, ip1 500, ip2 10) =
     * 433,543 B; naive:4 half the codes, 215,250 + 2,320 + 16 = 217,586 B; aciq:4 215,250 - 2,500 + 5,000 (ip2, the
     * classifier, at 8 bits) + 2,320 + 580 x 6 = 223,550 B.
     */
    @Test
    void leNetModelBytesCountItsInnerProductsInTheLiteratureSchemesOnly() throws Exception {
        Path json = dir.resolve("lenet.json");
        CliRun run = CliRun.of("compare", "--deploy_model", SharedData.Model.LENET.prototxt().toString(), "--weights",
                SharedData.Model.LENET.caffemodel().toString(), "--images", SharedData.require(
                        "data/mnist/t10k-images-idx3-ubyte.gz").toString(), "--labels", SharedData.require(
                        "data/mnist/t10k-labels-idx1-ubyte.gz").toString(), "--calibration_directory",
                SharedData.require("data/mnist/t10k-images-idx3-ubyte.gz").toString(), "--calibration_indices",
                "0,1,2,3,4,5,6,7", "--count", "16", "--channel_swap", "0", "--mean_value", "0", "--input_scale",
                "0.00390625", "--schemes", "xilinx:8,dynamicfixed:8,naive:8,bfp:8,f8net:8,naive:4,aciq:4", "--json",
                json.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        String j = Files.readString(json);
        assertEquals(1724320, number(j, "\"float\": \\{[^}]*\"model_bytes\": ([0-9]+)"), j);
        assertEquals(1648100, scheme(j, "xilinx:8", "model_bytes"), j);
        assertEquals(1647822, scheme(j, "dynamicfixed:8", "model_bytes"), j);
        assertEquals(432836, scheme(j, "naive:8", "model_bytes"), j);
        assertEquals(433400, scheme(j, "f8net:8", "model_bytes"), j);
        assertEquals(433543, scheme(j, "bfp:8", "model_bytes"), j);
        assertEquals(217586, scheme(j, "naive:4", "model_bytes"), j);
        assertEquals(223550, scheme(j, "aciq:4", "model_bytes"), j);
    }

    @Test
    void calibrationImagesFromTheScoredSetAreLeftOut() {
        CliRun run = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--calibration_directory", "examples/tinynet/val.txt",
                "--calibration_indices", "0,1,2,3", "--mean_value", "128,128,128", "--schemes", "naive:8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("tinynet: 56 images scored, calibrated on 4"), run.stdout());
    }

    /** Unlabelled images: no accuracy (a dash, never NaN), agreement with float still measured. */
    @Test
    void unlabelledImagesStillCompareAgreement() {
        CliRun run = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/images", "--count", "10", "--calibration_directory", "examples/tinynet/images",
                "--mean_value", "128,128,128", "--schemes", "naive:8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(!run.stdout().contains("NaN"), run.stdout());
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("naive:8 +- +- +- +100.00% .*")), run.stdout());
    }

    @Test
    void aLayerChaidnnCannotRunIsToldOnceNotOncePerScheme() throws Exception {
        // the example net with a TanH (simulated in float, unsupported by CHaiDNN) between pool1 and conv2
        String text = Files.readString(Path.of(DEPLOY));
        String conv2 = "layer {\n  name: \"conv2\"";
        assertTrue(text.contains(conv2), "the example's conv2 layer");
        Path deploy = dir.resolve("tanh.prototxt");
        Files.writeString(deploy, text.replace(conv2,
                "layer { name: \"squash\" type: \"TanH\" bottom: \"pool1\" top: \"pool1\" }\n" + conv2));
        CliRun run = CliRun.of("compare", "--deploy_model", deploy.toString(), "--weights", WEIGHTS, "--images",
                "examples/tinynet/images", "--count", "10", "--calibration_directory", "examples/tinynet/images",
                "--mean_value", "128,128,128", "--schemes", "xilinx:8,naive:8,bfp:8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().filter(l -> l.contains("'squash' (TanH) is not supported by CHaiDNN"))
                .count(), run.stderr());
        assertTrue(run.stderr().contains("xportdnn: warning: layer 'squash' (TanH) is not supported"), run.stderr());
    }

    @Test
    void anUnknownSchemeIsRefusedBeforeAnyWork() {
        Path json = dir.resolve("c.json");
        CliRun run = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                "examples/tinynet/val.txt", "--calibration_directory", "examples/tinynet/images", "--schemes",
                "naive:8,float8", "--json", json.toString());
        assertEquals(2, run.status());
        assertTrue(run.stderr().startsWith("xportdnn: error: --schemes: 'float8' is not one of"), run.stderr());
        assertTrue(Files.notExists(json));
    }

    /** One number of a scheme's JSON object. */
    private static double scheme(String json, String scheme, String field) {
        return number(json, "\"scheme\": \"" + Pattern.quote(scheme) + "\",[^}]*?\"" + field + "\": ([-0-9.Ee]+)");
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }
}
