package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;

/**
 * Valid but wrong input that used to give plausible, wrong results in silence now gets a warning naming the likely
 * cause; the example's correct commands get none. The example net classifies red, green and blue pictures (three
 * classes, mean 128 per channel on 0-255 pixels).
 */
class PreprocessingTrapsCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String IMAGES = "examples/tinynet/images";
    private static final Path VAL = Path.of("examples/tinynet/val.txt");

    @TempDir
    Path dir;

    private CliRun export(String images, String... extra) {
        List<String> args = new ArrayList<>(List.of("--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", dir.resolve("q.prototxt").toString(), "--bitwidths", "8,8,8",
                "--calibration_directory", images, "--quiet"));
        args.addAll(List.of(extra));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        return run;
    }

    private static CliRun infer(Path images, String... extra) {
        List<String> args = new ArrayList<>(List.of("infer", "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--images", images.toString(), "--quiet"));
        args.addAll(List.of(extra));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        return run;
    }

    private static List<String> warnings(CliRun run) {
        return run.stderr().lines().filter(l -> l.startsWith("xportdnn: warning:")).toList();
    }

    @Test
    void theCorrectCommandsWarnOfNothing() {
        assertEquals(List.of(), warnings(export(IMAGES, "--mean_value", "128,128,128")));
        CliRun infer = infer(VAL, "--mean_value", "128,128,128");
        assertTrue(infer.stdout().contains("top-1 accuracy 1.0000"), infer.stdout());
        assertEquals(List.of(), warnings(infer));
    }

    /** Without --raw_scale 255 the [0,1] pixels minus 128 are all about -128: the net sees the negated mean. */
    @Test
    void aMeanInZeroTo255WithPixelsInZeroToOneIsNamed() {
        List<String> w = warnings(export(IMAGES, "--mean_value", "128,128,128", "--raw_scale", "1"));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("after --raw_scale 1, the mean subtracted from them averages 128")
                && w.get(0).contains("give --raw_scale 255"), w.get(0));
        // the float net's predictions on a labelled set show the same mistake
        CliRun infer = infer(VAL, "--mean_value", "128,128,128", "--raw_scale", "1");
        assertEquals(1, warnings(infer).size(), infer.stderr());
        assertTrue(infer.stderr().contains("no better than guessing (1 in 3)"), infer.stderr());
    }

    /** validate and compare say so too: their float net scores the set at chance. */
    @Test
    void validateAndCompareNameAForgottenRawScale() {
        export(IMAGES, "--mean_value", "128,128,128");
        CliRun validate = CliRun.of("validate", "--deploy_model", dir.resolve("q.prototxt").toString(), "--weights",
                WEIGHTS, "--images", VAL.toString(), "--raw_scale", "1", "--quiet");
        assertEquals(0, validate.status(), validate.stderr());
        assertTrue(warnings(validate).stream().anyMatch(w -> w.contains("no better than guessing (1 in 3)")),
                validate.stderr());
        CliRun compare = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                VAL.toString(), "--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--raw_scale", "1",
                "--schemes", "naive:8", "--quiet");
        assertEquals(0, compare.status(), compare.stderr());
        List<String> w = warnings(compare);
        assertEquals(2, w.size(), compare.stderr());
        assertTrue(w.get(0).contains("give --raw_scale 255") && w.get(1).contains("no better than guessing"),
                compare.stderr());
    }

    /**
     * An --input_scale where none belongs: the first convolution outputs far less than its BatchNorm was trained on.
     * Named as well when the BatchNorm is folded before calibration (--fuse_bn, compare), where the layers before it
     * are run from the net as loaded.
     */
    @Test
    void aScaleOffTheBatchNormsTrainingIsNamedFoldedOrNot() {
        String named = "but its BatchNorm 'bn1' was trained on ";
        List<String> plain = warnings(export(IMAGES, "--mean_value", "128,128,128", "--input_scale", "0.01"));
        String warning = plain.stream().filter(w -> w.contains(named)).findFirst().orElseThrow();
        assertTrue(warning.contains("layer 'conv1' outputs a root mean square of ") && warning.contains("times less"),
                warning);
        List<String> folded = warnings(export(IMAGES, "--mean_value", "128,128,128", "--input_scale", "0.01",
                "--fuse_bn", "--quantized_weights", dir.resolve("folded.caffemodel").toString()));
        assertTrue(folded.contains(warning), folded.toString());
        CliRun compare = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images",
                VAL.toString(), "--calibration_directory", IMAGES, "--mean_value", "128,128,128", "--input_scale",
                "0.01", "--schemes", "naive:8", "--quiet");
        assertEquals(0, compare.status(), compare.stderr());
        assertTrue(warnings(compare).stream().anyMatch(w -> w.contains(named)), compare.stderr());
        assertFalse(warnings(export(IMAGES, "--mean_value", "128,128,128", "--fuse_bn", "--quantized_weights",
                dir.resolve("right.caffemodel").toString())).stream().anyMatch(w -> w.contains(named)));
    }

    /**
     * infer on an unlabelled set names a wrong channel order as the export does: CIFAR-10 images given BGR to a net
     * trained on RGB (the mean file's order), every 50th of the test set, listed without labels.
     */
    @Test
    void inferNamesAWrongChannelOrderOnAnUnlabelledSet() throws Exception {
        Path cifar = SharedData.require("data/cifar10-test");
        List<String> lines = Files.readAllLines(cifar.resolve("labels.txt"));
        List<String> list = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 50) {
            list.add(cifar.resolve(lines.get(i).split(" ")[0]).toString());
        }
        Path unlabelled = dir.resolve("unlabelled.txt");
        Files.write(unlabelled, list);
        SharedData.Model net = SharedData.Model.CIFAR10_QUICK;
        for (String swap : List.of("2,1,0", "0,1,2")) {
            CliRun run = CliRun.of("infer", "--deploy_model", net.prototxt().toString(), "--weights",
                    net.caffemodel().toString(), "--images", unlabelled.toString(), "--channel_swap", swap,
                    "--mean_file", cifar.resolve("mean.npy").toString(), "--quiet");
            assertEquals(0, run.status(), run.stderr());
            assertTrue(run.stdout().contains("no labels, so no accuracy"), run.stdout());
            List<String> w = warnings(run);
            if (swap.equals("2,1,0")) {
                assertEquals(1, w.size(), run.stderr());
                // the sequential test stops at a look (every 16 images from 32) or reads all 128
                assertTrue(w.get(0).contains("(--channel_swap 0,1,2 instead of 2,1,0) on ")
                        && w.get(0).matches(".* on \\d+ of (32|48|64|80|96|112|128) images of the set .*"), w.get(0));
            } else {
                assertEquals(List.of(), w);
            }
        }
    }

    @Test
    void aMeanInZeroToOneWithPixelsInZeroTo255IsNamed() {
        List<String> w = warnings(export(IMAGES, "--mean_value", "0.5,0.5,0.5"));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("the mean looks given on another scale than the pixels"), w.get(0));
    }

    @Test
    void greyCalibrationImagesForAColourNetAreNamed() throws Exception {
        List<String> w = warnings(export(greyFolder().toString(), "--mean_value", "128,128,128",
                "--calibration_size", "4"));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("all 4 calibration images are grey, but the net takes colour"), w.get(0));
    }

    /**
     * The grey images are counted by the tasks that decode them for the calibration (one image per batch over two
     * partitions here), and the counts added on the driver, which decodes none.
     */
    @Test
    void greyCalibrationImagesAreCountedOnSparkToo() throws Exception {
        List<String> w = warnings(export(greyFolder().toString(), "--mean_value", "128,128,128",
                "--calibration_size", "4", "--batch", "1", "--spark", "local[2]"));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("all 4 calibration images are grey, but the net takes colour"), w.get(0));
    }

    /**
     * ResNet-20 calibrated on the first 24 CIFAR-10 test images by sorted path, all airplanes: the float net's top
     * classes are counted as the calibration runs them, by the tasks on Spark (batches of 5 over two partitions) and
     * added on the driver, so both runs name the same count.
     */
    @Test
    void calibrationImagesOfOneClassAreNamedHereAndOnSpark() {
        List<String> args = new ArrayList<>(List.of("--deploy_model",
                SharedData.Model.RESNET20.prototxt().toString(), "--weights",
                SharedData.Model.RESNET20.caffemodel().toString(), "--quantized_deploy_model",
                dir.resolve("r.prototxt").toString(), "--calibration_directory",
                SharedData.require("data/cifar10-test/labels.txt").toString(), "--calibration_indices",
                String.join(",", IntStream.range(0, 24).mapToObj(Integer::toString).toList()),
                "--dims", "3,32,32", "--channel_swap", "0,1,2", "--mean_file",
                SharedData.require("data/cifar10-test/mean.npy").toString(), "--batch", "5", "--quiet"));
        CliRun here = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, here.status(), here.stderr());
        List<String> w = warnings(here);
        assertEquals(1, w.size(), here.stderr());
        assertTrue(w.get(0).matches("xportdnn: warning: the float net's top class is 0 on 2[0-4] of the 24 "
                + "calibration images .*"), w.get(0));
        args.addAll(List.of("--spark", "local[2]"));
        CliRun spark = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, spark.status(), spark.stderr());
        assertEquals(w, warnings(spark));
    }

    /** One colour picture among grey ones: not all grey, no warning. */
    @Test
    void oneColourCalibrationImageIsEnough() throws Exception {
        Path folder = greyFolder();
        Files.copy(Path.of(IMAGES, "blue_00.png"), folder.resolve("z.png"));
        assertEquals(List.of(), warnings(export(folder.toString(), "--mean_value", "128,128,128",
                "--calibration_size", "5", "--batch", "2")));
    }

    /** compare calibrates as export does, so it runs the same checks. */
    @Test
    void compareNamesGreyCalibrationImagesToo() throws Exception {
        CliRun run = CliRun.of("compare", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images", VAL.toString(),
                "--count", "6", "--calibration_directory", greyFolder().toString(), "--calibration_size", "4",
                "--mean_value", "128,128,128", "--schemes", "naive:8,bfp:8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        List<String> w = warnings(run).stream().filter(l -> l.contains("grey")).toList();
        assertEquals(1, w.size(), run.stderr());
        assertTrue(w.get(0).contains("all 4 calibration images are grey, but the net takes colour"), w.get(0));
    }

    /** Four grey pictures: two of one channel, two saved in colour with equal channels. */
    private Path greyFolder() throws Exception {
        Path grey = Files.createDirectory(dir.resolve("grey"));
        Random random = new Random(7);
        for (int i = 0; i < 4; i++) {
            // one channel, and a grey picture saved in colour: both are grey
            BufferedImage image = new BufferedImage(32, 32, i % 2 == 0 ? BufferedImage.TYPE_BYTE_GRAY
                    : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int v = random.nextInt(256);
                    image.setRGB(x, y, v << 16 | v << 8 | v);
                }
            }
            ImageIO.write(image, "png", grey.resolve("g" + i + ".png").toFile());
        }
        return grey;
    }

    /** Labels 1..3 for classes 0..2: without the last class in the set, no label is out of range. */
    @Test
    void labelsCountedFromOneAreNamed() throws Exception {
        Path oneBased = dir.resolve("val.txt");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(VAL)) {
            String[] f = line.split(" ");
            int label = Integer.parseInt(f[1]);
            if (label < 2) {
                lines.add(Path.of("examples/tinynet").toAbsolutePath().resolve(f[0]) + " " + (label + 1));
            }
        }
        Files.write(oneBased, lines);
        CliRun run = infer(oneBased, "--mean_value", "128,128,128");
        assertEquals(1, warnings(run).size(), run.stderr());
        assertTrue(run.stderr().contains("the float net's top-1 is the label minus one on 100.0% of the 40 labelled "
                + "images, the label itself on 0.0%: the labels look counted from 1"), run.stderr());
        assertFalse(run.stderr().contains("no better than guessing"), run.stderr());
    }
}
