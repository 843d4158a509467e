package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;
import xportdnn.SharedData;
import xportdnn.SharedData.Model;

/**
 * The accuracy gate: each classification model classifies its WHOLE dev set, starting from the image files, as
 * OpenCV did for {@code reference/<model>/predictions.tsv}. The same images in the same order with the same labels,
 * top-1 agreeing on at least 99.8% of them, and the float top-1 accuracy of {@code summary.txt} within one image.
 * Preprocessing flags per {@code reference/<model>/preprocess.md} (the CIFAR references use the per-pixel mean file).
 */
class InferAccuracyTest {

    private static final double MIN_AGREEMENT = 0.998;
    private static final int ACCURACY_SLACK_IMAGES = 1;

    /** The models with a labelled dev set, each with its data and preprocessing flags. */
    enum Case {
        LENET(Model.LENET, 500, "--images", "data/mnist/t10k-images-idx3-ubyte.gz",
                "--labels", "data/mnist/t10k-labels-idx1-ubyte.gz",
                "--channel_swap", "0", "--mean_value", "0", "--input_scale", "0.00390625"),
        CIFAR10_QUICK(Model.CIFAR10_QUICK, 500, cifar()),
        CIFAR10_FULL(Model.CIFAR10_FULL, 500, cifar()),
        RESNET20(Model.RESNET20, 500, cifar()),
        // 227x227 images: a small batch keeps the activations of one pass small (batch size barely changes the speed)
        SQUEEZENET(Model.SQUEEZENET, 25, "--images", "data/imagenet-val-500/val.txt",
                "--channel_swap", "2,1,0", "--mean_value", "104,117,123");

        final Model model;
        final int batch;
        final String[] flags;

        Case(Model model, int batch, String... flags) {
            this.model = model;
            this.batch = batch;
            this.flags = flags;
        }

        private static String[] cifar() {
            return new String[] {"--images", "data/cifar10-test/labels.txt", "--channel_swap", "0,1,2",
                "--mean_file", "data/cifar10-test/mean.npy"};
        }
    }

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Case.class)
    void wholeDevSetAgreesWithTheReference(Case c) throws IOException {
        Path predictions = tmp.resolve("predictions.tsv");
        List<String> args = new ArrayList<>(List.of("infer", "--deploy_model", c.model.prototxt().toString(),
                "--weights", c.model.caffemodel().toString(), "--batch", Integer.toString(c.batch), "--quiet",
                "--predictions", predictions.toString()));
        for (int i = 0; i < c.flags.length; i++) {
            boolean file = List.of("--images", "--labels", "--mean_file").contains(c.flags[i - i % 2]) && i % 2 == 1;
            args.add(file ? SharedData.require(c.flags[i]).toString() : c.flags[i]);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        long start = System.nanoTime();
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        double seconds = (System.nanoTime() - start) / 1e9;

        List<String[]> ours = rows(predictions);
        List<String[]> reference = rows(c.model.reference("predictions.tsv"));
        assertEquals(reference.size(), ours.size(), "images");
        int agree = 0;
        int correct = 0;
        for (int i = 0; i < ours.size(); i++) {
            String[] o = ours.get(i);
            String[] r = reference.get(i);
            assertEquals(r[0], o[0], "image " + i);
            assertEquals(r[1], o[1], "label of " + r[0]);
            agree += o[2].equals(r[2]) ? 1 : 0;
            correct += o[2].equals(o[1]) ? 1 : 0;
        }
        int images = ours.size();
        int referenceCorrect = summaryValue(c.model, "top1_correct");
        System.out.printf(Locale.ROOT, "%s: %d images in %.1f s, top-1 agreement %d/%d, top-1 %d (reference %d)%n",
                c, images, seconds, agree, images, correct, referenceCorrect);
        assertTrue(agree >= MIN_AGREEMENT * images, c + ": top-1 agrees on " + agree + " of " + images);
        assertTrue(Math.abs(correct - referenceCorrect) <= ACCURACY_SLACK_IMAGES,
                c + ": " + correct + " right, the reference " + referenceCorrect);
        assertTrue(out.toString().contains(String.format(Locale.ROOT, "top-1 accuracy %.4f (%d of %d)",
                correct / (double) images, correct, images)), out.toString());
    }

    /** The rows of a predictions table after its header, which must be the reference's. */
    private static List<String[]> rows(Path tsv) throws IOException {
        try (Stream<String> lines = Files.lines(tsv)) {
            List<String> all = lines.toList();
            assertEquals("image\tlabel\ttop1\ttop5\ttop1_prob", all.get(0), tsv + ": header");
            return all.stream().skip(1).map(l -> l.split("\t", -1)).toList();
        }
    }

    /** A {@code key<TAB>value} line of {@code reference/<model>/summary.txt}. */
    private static int summaryValue(Model model, String key) throws IOException {
        for (String line : Files.readAllLines(model.reference("summary.txt"))) {
            String[] kv = line.split("\t");
            if (kv[0].equals(key)) {
                return Integer.parseInt(kv[1]);
            }
        }
        throw new AssertionError(model.reference("summary.txt") + ": no " + key);
    }
}
