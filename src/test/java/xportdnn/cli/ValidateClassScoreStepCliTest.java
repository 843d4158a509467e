package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * validate's class-score step warning on a hand-built net: one grey pixel p (0-255) into a 1x1 convolution whose
 * two class scores are p and 100.5, so an image's float top-2 margin is |p - 100.5|. The Xilinx block writes them
 * with th_layer_out 127 over 127 codes, a step of 1: the images of pixel 100 and 101 (margin 0.5) are within one
 * step, the others (pixels 0-15: margins 85-100.5) far apart.
 */
class ValidateClassScoreStepCliTest {

    private static final String HEAD = """
            name: "step"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 1 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 2 kernel_size: 1 }
                    precision_param { bw_layer_in: 8 bw_layer_out: 8 bw_params: 8 th_layer_in: 255
                                      th_layer_out: 127 th_params: 1 th_params: 1 quant_type: "Xilinx" } }
            """;
    private static final String DEVICE_SCORES = HEAD + """
            layer { name: "prob" type: "Softmax" bottom: "conv" top: "prob" }
            """;
    /** The same scores, then an InnerProduct (no block: computed in software) copying them. */
    private static final String SOFTWARE_SCORES = HEAD + """
            layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 2 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    @TempDir
    Path dir;
    private Path images;
    private Path weights;

    @BeforeEach
    void images() throws IOException {
        images = Files.createDirectory(dir.resolve("images"));
        for (int i = 0; i < 20; i++) {
            int p = i < 2 ? 100 : i < 4 ? 101 : i - 4;
            BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setSample(0, 0, 0, p);
            ImageIO.write(image, "png", images.resolve(String.format("i%02d.png", i)).toFile());
        }
        NetParameter model = NetParameter.newBuilder()
                .addLayer(TestWeights.layer("conv", TestWeights.blob(new int[] {2, 1, 1, 1}, 1, 0),
                        TestWeights.blob(new int[] {2}, 0, 100.5f)))
                .addLayer(TestWeights.layer("fc", TestWeights.blob(new int[] {2, 2}, 1, 0, 0, 1),
                        TestWeights.blob(new int[] {2}, 0, 0)))
                .build();
        weights = dir.resolve("step.caffemodel");
        try (OutputStream out = Files.newOutputStream(weights)) {
            model.writeTo(out);
        }
    }

    private CliRun validate(String prototxt, String... more) throws IOException {
        Path deploy = dir.resolve("q.prototxt");
        Files.writeString(deploy, prototxt);
        String[] args = {"validate", "--deploy_model", deploy.toString(), "--weights", weights.toString(),
                "--images", images.toString(), "--raw_scale", "255", "--quiet"};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        CliRun run = CliRun.of(all);
        assertEquals(0, run.status(), run.stderr());
        return run;
    }

    @Test
    void scoresTheDeviceWritesInCoarseStepsAreWarnedAboutOnce() throws IOException {
        CliRun run = validate(DEVICE_SCORES);
        assertTrue(run.stderr().contains("xportdnn: warning: layer 'conv' writes the class scores in steps of 1.00 "
                + "(th_layer_out 127.0 over 127 codes): on 4 of the 20 scored images (20%) the float net's two best "
                + "classes are closer than that, so the device may tie them (the lower class id wins) or swap them; "
                + "give --float_layers conv to compute the classifier in software and see what that keeps\n"),
                run.stderr());
        assertEquals(1, run.stderr().lines().filter(l -> l.contains("writes the class scores")).count());
    }

    /**
     * compare warns per CHaiDNN scheme as the export does, on the calibration images: its thresholds come from
     * them (the scores' range ends at 100.5, so a step of about 0.8 at 8 bits Xilinx, 1 DynamicFixed); naive:8, of
     * the literature, is not checked.
     */
    @Test
    void compareWarnsPerChaidnnScheme() throws IOException {
        Path deploy = dir.resolve("float.prototxt");
        Files.writeString(deploy, DEVICE_SCORES.replaceAll("(?s)precision_param \\{[^}]*}", ""));
        Path calibration = Files.createDirectory(dir.resolve("calibration"));
        try (var files = Files.list(images)) {
            for (Path f : files.toList()) {
                Files.copy(f, calibration.resolve(f.getFileName()));
            }
        }
        CliRun run = CliRun.of("compare", "--deploy_model", deploy.toString(), "--weights", weights.toString(),
                "--images", images.toString(), "--calibration_directory", calibration.toString(), "--calibration_size",
                "20", "--raw_scale", "255", "--schemes", "xilinx:8,dynamicfixed:8,naive:8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        for (String scheme : new String[] {"xilinx:8", "dynamicfixed:8"}) {
            assertTrue(run.stderr().contains("xportdnn: warning: " + scheme + ": layer 'conv' writes the class "
                    + "scores in steps of "), run.stderr());
        }
        assertFalse(run.stderr().contains("naive:8: layer 'conv' writes"), run.stderr());
        assertTrue(run.stderr().contains("on 4 of the 20 calibration images (20%)"), run.stderr());
    }

    @Test
    void scoresComputedInSoftwareAreNotWarnedAbout() throws IOException {
        assertFalse(validate(SOFTWARE_SCORES).stderr().contains("class scores"));
        assertFalse(validate(DEVICE_SCORES, "--float_layers", "conv").stderr().contains("class scores"));
    }
}
