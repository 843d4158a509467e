package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

/**
 * Mistakes a new user makes with the shipped example, each refused in one line that says what the file is or what
 * to give instead, and no output written.
 */
class NewUserTrapsCliTest {

    private static final String DIR = "examples/tinynet/";
    private static final String DEPLOY = DIR + "deploy.prototxt";
    private static final String WEIGHTS = DIR + "tinynet.caffemodel";

    @TempDir
    Path dir;

    private CliRun export(String deploy, String weights, String... more) {
        return exportOn(DIR + "images", deploy, weights, more);
    }

    private CliRun exportOn(String images, String deploy, String weights, String... more) {
        String[] args = {"--deploy_model", deploy, "--weights", weights, "--quantized_deploy_model",
                dir.resolve("q.prototxt").toString(), "--calibration_directory", images, "--calibration_size",
                "8", "--mean_value", "128,128,128", "--quiet"};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CliRun.of(all);
    }

    private void assertNothingWritten() {
        assertFalse(Files.exists(dir.resolve("q.prototxt")));
    }

    @Test
    void thePrototxtGivenAsTheWeightsIsSaidToBeOne() {
        export(DEPLOY, DEPLOY).assertRefused(DEPLOY + ": not a Caffe model; it is a prototxt (text: the net's "
                + "definition), not the caffemodel of trained weights: give the binary .caffemodel here");
        assertNothingWritten();
    }

    @Test
    void theCaffemodelGivenAsThePrototxtIsSaidToBeOne() {
        export(WEIGHTS, DEPLOY).assertRefused(WEIGHTS + ": cannot read: not a text file (invalid UTF-8); it is a "
                + "binary caffemodel (trained weights), not a prototxt: give the deploy prototxt (text) here");
        assertNothingWritten();
    }

    @Test
    void oneImageGivenAsTheCalibrationSetIsSaidToBeOne() {
        String image = DIR + "images/red_00.png";
        exportOn(image, DEPLOY, WEIGHTS).assertRefused(image + ": an image, not a folder "
                + "or a list of images: give the folder holding the images, or a list naming them");
        assertNothingWritten();
    }

    /** A NaN in the mean used to be reported as the input blob's, with no word of the mean file. */
    @Test
    void aMeanFileHoldingNanIsNamed() {
        float[] mean = new float[3 * 32 * 32];
        mean[32 * 32 + 5] = Float.NaN;
        Path file = dir.resolve("mean.npy");
        Npy.write(new Blob(new int[] {3, 32, 32}, mean), file);
        CliRun run = CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                dir.resolve("q.prototxt").toString(), "--calibration_directory", DIR + "images", "--mean_file",
                file.toString(), "--quiet");
        run.assertRefused("--mean_file: the mean holds NaN (channel 1, row 0, column 5)");
        assertNothingWritten();
    }

    /** Checked as the net is loaded, so the error names the prototxt (it came from the first image's pass). */
    @Test
    void aSoftmaxAxisOutOfRangeNamesThePrototxt() throws Exception {
        Path deploy = dir.resolve("axis.prototxt");
        Files.writeString(deploy, Files.readString(Path.of(DEPLOY)).replace("  top: \"prob\"\n",
                "  top: \"prob\"\n  softmax_param { axis: 5 }\n"));
        export(deploy.toString(), WEIGHTS).assertRefused(deploy + ": layer 'prob': softmax_param.axis 5 is out of "
                + "range for a 2-axis input");
        assertNothingWritten();
    }

    /** pool1 written after conv2, which reads it. */
    @Test
    void aLayerBeforeTheOneProducingItsBottomIsNamedWithIt() throws Exception {
        String text = Files.readString(Path.of(DEPLOY));
        int pool = text.indexOf("layer {\n  name: \"pool1\"");
        int conv = text.indexOf("layer {\n  name: \"conv2\"");
        int relu = text.indexOf("layer {\n  name: \"relu2\"");
        Path deploy = dir.resolve("order.prototxt");
        Files.writeString(deploy, text.substring(0, pool) + text.substring(conv, relu) + text.substring(pool, conv)
                + text.substring(relu));
        export(deploy.toString(), WEIGHTS).assertRefused(deploy + ": layer 'conv2': bottom 'pool1' is produced only "
                + "by the later layer 'pool1': Caffe runs the layers in the order written, so move 'conv2' after "
                + "'pool1'");
        assertNothingWritten();
    }

    /**
     * A flat folder with a file of labels, one per image: --labels names the classes of class folders. (The set is
     * opened first, so the float prototxt does not matter here.)
     */
    @Test
    void aFlatFolderWithLabelsSaysWhatLabelsAreFor() throws Exception {
        Path labels = Files.writeString(dir.resolve("labels.txt"), "0\n1\n2\n");
        CliRun run = CliRun.of("validate", "--deploy_model", DEPLOY, "--weights", WEIGHTS, "--images", DIR + "images",
                "--labels", labels.toString(), "--quiet");
        run.assertRefused("not inside a class folder of " + DIR + "images: --labels " + labels + " names the classes "
                + "of class folders", "give --images a list of 'path label' lines instead");
    }

    /** conv2 reads pool1's 10x8x16x16; a kernel of 40 does not fit (the message was "invalid output shape"). */
    @Test
    void aKernelLargerThanItsPaddedInputIsSaidSo() throws Exception {
        Path deploy = dir.resolve("kernel.prototxt");
        Files.writeString(deploy, Files.readString(Path.of(DEPLOY)).replace("num_output: 16 kernel_size: 3 pad: 1",
                "num_output: 16 kernel_size: 40 pad: 1"));
        export(deploy.toString(), WEIGHTS).assertRefused(deploy + ": layer 'conv2': its kernel's height 40 is larger "
                + "than its padded input's, 16 + 2 x 1 = 18 (input 10x8x16x16)");
        assertNothingWritten();
    }

    /** A negative scale runs (Caffe allows it) but negates every image: one warning naming the flag. */
    @Test
    void aNegativeInputScaleIsWarnedAbout() {
        CliRun run = export(DEPLOY, WEIGHTS, "--input_scale", "-1");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("xportdnn: warning: --input_scale -1.0 is negative: the net sees every image "
                + "negated (bright as dark), as no Caffe training does; give --input_scale 1.0\n"), run.stderr());
        assertFalse(export(DEPLOY, WEIGHTS).stderr().contains("is negative"));
    }
}
