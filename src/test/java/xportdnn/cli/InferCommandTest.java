package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData.Model;
import xportdnn.SharedData;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

/** {@code xportdnn infer} end to end: the shipped example, the reference outputs, the output kinds and the errors. */
class InferCommandTest {

    private static final Path TINYNET = Path.of("examples/tinynet");
    private static final String[] TINYNET_MODEL = {"--deploy_model", TINYNET.resolve("deploy.prototxt").toString(),
        "--weights", TINYNET.resolve("tinynet.caffemodel").toString(), "--mean_value", "128,128,128"};

    @TempDir
    Path tmp;

    /** The last run's status and output. */
    private CliRun last;

    private int run(String... args) {
        last = CliRun.of(args);
        return last.status();
    }

    private int tinynet(String... args) {
        return run(concat(new String[] {"infer"}, TINYNET_MODEL, args));
    }

    private int model(Model model, String... args) {
        return run(concat(new String[] {"infer", "--deploy_model", model.prototxt().toString(),
            "--weights", model.caffemodel().toString()}, args));
    }

    private List<String> outLines() {
        return last.stdout().lines().toList();
    }

    /** The example's hand-designed net separates red, green and blue squares: all 60 labelled images right. */
    @Test
    void tinynetClassifiesTheShippedExample() throws IOException {
        Path predictions = tmp.resolve("predictions.tsv");
        assertEquals(0, tinynet("--images", TINYNET.resolve("val.txt").toString(), "--predictions",
                predictions.toString(), "--batch", "7", "--quiet"), last.stderr());
        assertEquals("", last.stderr());
        assertEquals("", last.stray(), "printed by something other than the CLI");
        List<String> expected = Files.readAllLines(TINYNET.resolve("val.txt"));
        List<String> rows = Files.readAllLines(predictions);
        assertEquals("image\tlabel\ttop1\ttop5\ttop1_prob", rows.get(0));
        assertEquals(60, expected.size());
        assertEquals(expected.size() + 1, rows.size());
        int correct = 0;
        for (int i = 0; i < expected.size(); i++) {
            String[] truth = expected.get(i).split(" ");
            String[] row = rows.get(i + 1).split("\t", -1);
            assertEquals(5, row.length, rows.get(i + 1));
            assertEquals(truth[0], row[0], "images by their path as written in the list");
            assertEquals(truth[1], row[1]);
            List<String> top = List.of(row[3].split(","));
            assertEquals(Set.of("0", "1", "2"), new HashSet<>(top), "3 classes, each once");
            assertEquals(row[2], top.get(0));
            double p = Double.parseDouble(row[4]);
            assertTrue(p > 1.0 / 3 && p <= 1, row[4]);
            correct += row[1].equals(row[2]) ? 1 : 0;
        }
        assertTrue(correct >= 59, correct + " of 60 right"); // measured: 60 of 60
        assertTrue(outLines().contains(String.format("top-1 accuracy %.4f (%d of 60)", correct / 60.0, correct)),
                last.stdout());
        assertTrue(outLines().contains("top-3 accuracy 1.0000 (60 of 60)"), "3 classes: top-3 is always right");
    }

    /** A plain folder is unlabelled (-1); with --labels CLASSES.txt its class folders give the labels. */
    @Test
    void foldersUnlabelledOrByClassFolder() throws IOException {
        Path predictions = tmp.resolve("p.tsv");
        assertEquals(0, tinynet("--images", TINYNET.resolve("images").toString(), "--predictions",
                predictions.toString()), last.stderr());
        List<String> rows = Files.readAllLines(predictions);
        assertEquals(61, rows.size());
        assertTrue(rows.get(1).startsWith("blue_00.png\t-1\t"), rows.get(1));
        assertTrue(rows.stream().skip(1).allMatch(r -> r.split("\t")[1].equals("-1")));
        assertTrue(outLines().contains("no labels, so no accuracy"), last.stdout());

        Path classes = tmp.resolve("classes");
        for (String colour : List.of("red", "green", "blue")) {
            Files.createDirectories(classes.resolve(colour));
            for (String n : List.of("00", "01")) {
                Files.copy(TINYNET.resolve("images/" + colour + "_" + n + ".png"),
                        classes.resolve(colour + "/" + colour + "_" + n + ".png"));
            }
        }
        assertEquals(0, tinynet("--images", classes.toString(), "--labels", TINYNET.resolve("classes.txt").toString(),
                "--predictions", predictions.toString()), last.stderr());
        rows = Files.readAllLines(predictions);
        assertEquals(7, rows.size());
        // sorted by relative path; label = the line of classes.txt naming the folder (red 0, green 1, blue 2)
        assertTrue(rows.get(1).startsWith("blue/blue_00.png\t2\t"), rows.get(1));
        assertTrue(rows.get(3).startsWith("green/green_00.png\t1\t"), rows.get(3));
        assertTrue(rows.get(6).startsWith("red/red_01.png\t0\t"), rows.get(6));

        // what macOS leaves (hidden AppleDouble files) is not an image; a picture of another format is noted
        Files.write(classes.resolve("red/._red_00.png"), new byte[] {0, 5, 22, 7, 0, 2, 0, 0});
        Files.copy(TINYNET.resolve("images/red_02.png"), classes.resolve("red/red_02.gif"));
        assertEquals(0, tinynet("--images", classes.toString(), "--labels", TINYNET.resolve("classes.txt").toString(),
                "--predictions", predictions.toString(), "--quiet"), last.stderr());
        assertEquals(7, Files.readAllLines(predictions).size());
        assertTrue(last.stderr().contains("xportdnn: note: " + classes + ": left out 1 picture of a format a "
                + "folder's scan does not take, e.g. red/red_02.gif (it takes .jpg"), last.stderr());
    }

    /**
     * What a set holds that the run reads on anyway is said in notes: a list's repeated line (scored twice, as in
     * Caffe) and photos carrying an EXIF orientation (read as stored).
     */
    @Test
    void repeatedLinesAndTurnedPhotosAreNoted() throws IOException {
        Files.copy(Path.of("testdata/images/exif-orientation6.jpg"), tmp.resolve("photo.jpg"));
        Files.copy(TINYNET.resolve("images/red_00.png"), tmp.resolve("red.png"));
        Path list = Files.writeString(tmp.resolve("val.txt"), "photo.jpg 0\nred.png 0\nphoto.jpg 0\n");
        assertEquals(0, tinynet("--images", list.toString(), "--quiet"), last.stderr());
        assertTrue(last.stdout().contains("3 images classified"), last.stdout());
        assertTrue(last.stderr().contains("xportdnn: note: " + list + ": 1 line names an image that an earlier line "
                + "names (line 3 repeats line 1, photo.jpg); each line is read and scored"), last.stderr());
        assertTrue(last.stderr().contains("xportdnn: note: 2 of the 3 images carry an EXIF orientation other than 1 "
                + "(photos a viewer turns upright); they are read as stored"), last.stderr());
    }

    @Test
    void oneImageTopClassesWithNames() {
        assertEquals(0, tinynet("--image", TINYNET.resolve("images/green_03.png").toString(), "--class_names",
                TINYNET.resolve("classes.txt").toString()), last.stderr());
        List<String> lines = outLines();
        assertEquals(TINYNET.resolve("images/green_03.png") + ": top 3 of 3 classes of output 'prob'", lines.get(0));
        assertEquals(List.of("probability", "class", "name"), List.of(lines.get(1).trim().split("\\s+")));
        String[] best = lines.get(2).trim().split("\\s+");
        assertEquals(List.of("1", "green"), List.of(best[1], best[2]));
        double sum = 0;
        for (String line : lines.subList(2, 5)) {
            sum += Double.parseDouble(line.trim().split("\\s+")[0]);
        }
        assertEquals(1.0, sum, 2e-4, "probabilities of all three classes");
        assertEquals(5, lines.size());
    }

    /** --dump writes every layer's output under the reference's names, and each matches OpenCV's. */
    @Test
    void dumpMatchesTheReferenceLayers() throws IOException {
        Model model = Model.CIFAR10_QUICK;
        Path dump = tmp.resolve("not/yet/there");
        Path output = tmp.resolve("prob.npy");
        Path input = model.reference("input.npy");
        assertEquals(0, model(model, "--input", input.toString(), "--dump", dump.toString(), "--output",
                output.toString()), last.stderr());
        List<String> keys = referenceKeys(model);
        Set<String> expected = new HashSet<>();
        keys.forEach(k -> expected.add(k + ".npy"));
        expected.add("data.npy"); // the Input layer: the input blob itself
        try (Stream<Path> files = Files.list(dump)) {
            assertEquals(expected, new HashSet<>(files.map(p -> p.getFileName().toString()).toList()));
        }
        assertArrayEquals(Npy.read(input).data(), Npy.read(dump.resolve("data.npy")).data());
        for (String key : keys) {
            assertClose(Npy.read(model.reference("layers/" + key + ".npy")), Npy.read(dump.resolve(key + ".npy")), key);
        }
        Blob prob = Npy.read(model.reference("layers/prob.npy"));
        assertClose(prob, Npy.read(output), "--output");
        assertTrue(outLines().contains("wrote " + (keys.size() + 1) + " layer outputs to " + dump), last.stdout());
        assertEquals(argmax(prob.data()), Integer.parseInt(outLines().get(2).trim().split("\\s+")[1]), "top-1 row");
    }

    /** SqueezeNet ends in logits: the probabilities are their softmax, and synset_words.txt gives the names. */
    @Test
    void logitsGetASoftmaxAndSynsetNames() throws IOException {
        Model model = Model.SQUEEZENET;
        Path synsets = SharedData.require("data/imagenet-val-500/synset_words.txt");
        assertEquals(0, model(model, "--input", model.reference("input.npy").toString(), "--class_names",
                synsets.toString()), last.stderr());
        List<String> lines = outLines();
        assertTrue(lines.get(0).contains("'pool_final' holds logits"), lines.get(0));
        // reference/squeezenet_v1.0: input.npy is ILSVRC2012_val_00000347, top-5 472,693,408,814,871, p 0.94092953
        List<String> words = Files.readAllLines(synsets);
        int[] top5 = {472, 693, 408, 814, 871};
        for (int i = 0; i < 5; i++) {
            String row = lines.get(3 + i).trim();
            String[] cells = row.split("\\s+", 3);
            assertEquals(Integer.toString(top5[i]), cells[1], row);
            assertEquals(words.get(top5[i]).split(" ", 2)[1], cells[2], "the synset text without its id");
        }
        assertEquals("0.9409", lines.get(3).trim().split("\\s+")[0]);
    }

    /** --blob reads any blob: after the in-place ReLU, pool1 holds relu1's output; ip2 holds logits. */
    @Test
    void anyBlobByName() {
        Model model = Model.CIFAR10_QUICK;
        Path pool1 = tmp.resolve("pool1.npy");
        String input = model.reference("input.npy").toString();
        assertEquals(0, model(model, "--input", input, "--blob", "pool1", "--output", pool1.toString()), last.stderr());
        assertClose(Npy.read(model.reference("layers/relu1.npy")), Npy.read(pool1), "pool1 after relu1");
        assertTrue(outLines().get(0).startsWith("output 'pool1': shape 1x32x16x16, min "), outLines().get(0));

        assertEquals(0, model(model, "--input", input, "--blob", "ip2"), last.stderr());
        assertTrue(outLines().get(0).contains("'ip2' holds logits"), last.stdout());
        int expected = argmax(Npy.read(model.reference("layers/prob.npy")).data());
        assertEquals(expected, Integer.parseInt(outLines().get(3).trim().split("\\s+")[1]));
    }

    /** An --input blob may hold several images (NCHW) or one without the batch dim (CHW). */
    @Test
    void inputBatchesAndSingleImages() {
        Model model = Model.CIFAR10_QUICK;
        Blob one = Npy.read(model.reference("input.npy"));
        float[] two = Arrays.copyOf(one.data(), 2 * one.count());
        System.arraycopy(one.data(), 0, two, one.count(), one.count());
        Path batch = tmp.resolve("two.npy");
        Npy.write(new Blob(new int[] {2, 3, 32, 32}, two), batch);
        Path chw = tmp.resolve("chw.npy");
        Npy.write(new Blob(new int[] {3, 32, 32}, one.data()), chw);

        assertEquals(0, model(model, "--input", batch.toString()), last.stderr());
        List<String> lines = outLines();
        assertEquals("image 0 of " + batch + ": top 5 of 10 classes of output 'prob'", lines.get(0));
        assertEquals("image 1 of " + batch + ": top 5 of 10 classes of output 'prob'", lines.get(7));
        assertEquals(lines.subList(1, 7), lines.subList(8, 14), "the same image twice");
        assertEquals(0, model(model, "--input", chw.toString()), last.stderr());
        assertEquals(lines.subList(1, 7), outLines().subList(1, 7));
    }

    /** The SSD detector: the faces above 0.5, with the reference's confidences and boxes. */
    @Test
    void detectionOutputListsConfidentFaces() throws IOException {
        Model model = Model.YUFACE;
        assertEquals(0, model(model, "--input", model.reference("input.npy").toString()), last.stderr());
        List<String> lines = outLines();
        assertTrue(lines.get(0).startsWith("output 'detection_out': shape 1x1x50x7, min "), lines.get(0));
        assertEquals("11 detections with confidence > 0.5:", lines.get(1));
        List<String[]> reference = new ArrayList<>();
        for (String row : Files.readAllLines(model.reference("predictions.tsv"))) {
            if (row.startsWith("test2.jpg\t")) {
                reference.add(row.split("\t"));
            }
        }
        assertEquals(11, reference.size());
        for (int i = 0; i < 11; i++) {
            String[] ours = lines.get(3 + i).trim().split("\\s+");
            for (int c = 2; c <= 6; c++) { // confidence, xmin, ymin, xmax, ymax
                assertEquals(Double.parseDouble(reference.get(i)[c + 1]), Double.parseDouble(ours[c]), 2e-4,
                        "detection " + i + " column " + c);
            }
        }

        // from the image file (decoded and resized by us, not OpenCV): the one face of test.jpg, in its pixels
        assertEquals(0, model(model, "--image", SharedData.require("data/faces/test.jpg").toString()), last.stderr());
        lines = outLines();
        assertEquals("1 detection with confidence > 0.5:", lines.get(1));
        String[] face = lines.get(3).trim().split("\\s+");
        double[] expectedPixels = {77.4, 50.6, 167.9, 202.2}; // reference predictions.tsv, test.jpg det 0
        for (int i = 0; i < 4; i++) {
            assertEquals(expectedPixels[i], Double.parseDouble(face[7 + i]), 1.5, "box corner " + i);
        }
    }

    /**
     * The SSD detector over a set: every detection DetectionOutput returns, in the reference's predictions.tsv
     * layout, and the same detections as OpenCV's (the images decoded and resized by us, so within a small
     * tolerance: the one-image test above allows 1.5 pixels too).
     */
    @Test
    void detectorSetWritesEveryDetectionAsTheReferenceLists() throws IOException {
        Model model = Model.YUFACE;
        Path predictions = tmp.resolve("faces.tsv");
        assertEquals(0, model(model, "--images", SharedData.require("data/faces").toString(), "--dims", "3,240,320",
                "--transpose", "2,0,1", "--channel_swap", "2,1,0", "--raw_scale", "255", "--mean_value",
                "104,117,123", "--predictions", predictions.toString(), "--quiet"), last.stderr());
        // the reference's summary: 1 face above 0.5 in test.jpg, 11 in test2.jpg
        assertEquals("2 images through the detector's output 'detection_out': 12 detections with confidence > 0.5, "
                + "in 2 images", outLines().get(0));
        List<String> ours = Files.readAllLines(predictions);
        List<String> reference = Files.readAllLines(model.reference("predictions.tsv"));
        assertEquals(reference.get(0), ours.get(0), "the same columns");
        // detections_returned in the reference's summary: 17 for test.jpg, 11 for test2.jpg
        assertEquals(reference.size(), ours.size(), String.join("\n", ours));
        for (int i = 1; i < reference.size(); i++) {
            String[] r = reference.get(i).split("\t");
            String[] o = ours.get(i).split("\t");
            assertEquals(r[0] + " " + r[1] + " " + r[2], o[0] + " " + o[1] + " " + o[2], "row " + i);
            double confidence = Double.parseDouble(r[3]);
            assertEquals(confidence, Double.parseDouble(o[3]), 0.05, "row " + i + " confidence");
            if (confidence > 0.5) {
                for (int c = 4; c < 8; c++) {
                    assertEquals(Double.parseDouble(r[c]), Double.parseDouble(o[c]), 0.01, "row " + i + " column " + c);
                }
            }
        }
    }

    @Test
    void helpNamesTheInputsAndOutputs() {
        assertEquals(0, run("infer", "--help"));
        String help = last.stdout();
        for (String flag : List.of("--image", "--input", "--images", "--labels", "--batch", "--dump", "--output",
                "--predictions", "--class_names", "--blob", "--quiet", "--mean_file", "--channel_swap")) {
            assertTrue(help.contains(flag), flag);
        }
        assertTrue(help.contains("val.txt") && help.contains("IDX") && help.contains("class-named subfolders"), help);
        assertEquals(0, run("--help"));
        assertTrue(last.stdout().contains("infer"), "listed among the subcommands");
    }

    @Test
    void missingModelFile() {
        Path absent = tmp.resolve("absent.prototxt");
        assertEquals(2, run("infer", "--deploy_model", absent.toString(), "--weights", absent.toString(), "--image",
                "x.png"));
        assertOneErrorLine(absent + ": no such file");
    }

    /** A file that is not an image stops the run naming it, and no predictions file appears. */
    @Test
    void undecodableImageNamedAndNoPartialOutput() throws IOException {
        Files.copy(TINYNET.resolve("images/red_00.png"), tmp.resolve("good.png"));
        Files.writeString(tmp.resolve("bad.png"), "not an image");
        Path list = Files.writeString(tmp.resolve("list.txt"), "good.png 0\nbad.png 1\n");
        Path predictions = tmp.resolve("out.tsv");
        assertEquals(2, tinynet("--images", list.toString(), "--predictions", predictions.toString(), "--batch", "1"));
        assertOneErrorLine(tmp.resolve("bad.png").toString());
        assertFalse(Files.exists(predictions));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(Set.of("good.png", "bad.png", "list.txt"),
                    new HashSet<>(files.map(p -> p.getFileName().toString()).toList()), "no temporary file left");
        }
    }

    @Test
    void dimsThatDoNotFitTheNet() {
        assertEquals(2, tinynet("--image", TINYNET.resolve("images/red_00.png").toString(), "--dims", "1,32,32"));
        assertOneErrorLine("--dims 1,32,32 does not fit the net: its input 'data' is 10x3x32x32");
    }

    /** Tinynet ends in global pooling, so its InnerProduct sees 16 values at any image size: it reshapes. */
    @Test
    void dimsOfAnotherImageSizeReshapeTheNet() {
        assertEquals(0, tinynet("--image", TINYNET.resolve("images/red_00.png").toString(), "--dims", "3,28,40"));
        assertTrue(last.stderr().startsWith("xportdnn: note: input 'data' is 28x40 (height x width), the prototxt's "
                + "32x32: the net is reshaped to it"), last.stderr());
    }

    @Test
    void inputBlobOfTheWrongShape() {
        Path wrong = tmp.resolve("wrong.npy");
        Npy.write(new Blob(new int[] {1, 1, 32, 32}, new float[32 * 32]), wrong);
        Path output = tmp.resolve("out.npy");
        assertEquals(2, tinynet("--input", wrong.toString(), "--output", output.toString()));
        assertOneErrorLine(wrong + ": the blob is 1x1x32x32, the net's input 'data' takes N x 3x32x32");
        assertFalse(Files.exists(output));
    }

    @Test
    void preprocessingFlagsWithAnInputBlobAreNoted() {
        Path zeros = tmp.resolve("zeros.npy");
        Npy.write(new Blob(new int[] {1, 3, 32, 32}, new float[3 * 32 * 32]), zeros);
        assertEquals(0, tinynet("--input", zeros.toString(), "--raw_scale", "1"), last.stderr());
        assertEquals("xportdnn: note: --raw_scale --mean_value ignored: --input is already preprocessed\n",
                last.stderr());
        assertTrue(last.stdout().startsWith(zeros + ": top 3 of 3 classes of output 'prob'"), last.stdout());
    }

    @Test
    void labelOutsideTheNetsClasses() throws IOException {
        Files.copy(TINYNET.resolve("images/red_00.png"), tmp.resolve("a.png"));
        Path list = Files.writeString(tmp.resolve("list.txt"), "a.png 3\n");
        assertEquals(2, tinynet("--images", list.toString()));
        assertOneErrorLine("image a.png has label 3, but output 'prob' has 3 classes (0-2)");
    }

    @Test
    void flagsThatDoNotGoTogether() {
        String image = TINYNET.resolve("images/red_00.png").toString();
        String list = TINYNET.resolve("val.txt").toString();
        assertEquals(2, tinynet("--image", image, "--labels", list));
        assertOneErrorLine("--labels goes with --images");
        assertEquals(2, tinynet("--images", list, "--dump", tmp.toString()));
        assertOneErrorLine("--dump goes with one input (--image or --input), not with --images");
        assertEquals(2, tinynet("--image", image, "--predictions", tmp.resolve("p.tsv").toString()));
        assertOneErrorLine("--predictions goes with --images");
        assertEquals(2, tinynet("--images", list, "--batch", "0"));
        assertOneErrorLine("--batch: 0 is not a positive number of images");
        assertEquals(2, tinynet("--image", image, "--images", list));
        assertTrue(last.stderr().startsWith("xportdnn: error: --image=FILE, --images=SET are mutually exclusive"),
                last.stderr());
    }

    @Test
    void neverWritesOverAnInput() throws IOException {
        Path classes = Files.copy(TINYNET.resolve("classes.txt"), tmp.resolve("classes.txt"));
        assertEquals(2, tinynet("--images", TINYNET.resolve("val.txt").toString(), "--class_names",
                classes.toString(), "--predictions", classes.toString()));
        assertOneErrorLine("--predictions: refusing to overwrite the input " + classes);
        assertEquals("red\ngreen\nblue\n", Files.readString(classes));
    }

    /** An output that cannot be written stops the command before it runs (here: before any layer is dumped). */
    @Test
    void outputsAreCheckedBeforeTheRun() {
        Path dump = tmp.resolve("dump");
        Path output = tmp.resolve("missing/out.npy");
        assertEquals(2, tinynet("--image", TINYNET.resolve("images/red_00.png").toString(), "--dump", dump.toString(),
                "--output", output.toString()));
        assertOneErrorLine("--output: cannot write " + output + ": the folder " + tmp.resolve("missing")
                + " does not exist");
        assertFalse(Files.exists(dump));
    }

    /**
     * infer and bench refuse a net of two inputs or none with the message every command gives
     * (LoadedNet.oneInput), naming the file.
     */
    @Test
    void aNetOfOtherThanOneInputIsRefusedAsEveryCommandRefusesIt() throws IOException {
        Path two = Files.writeString(tmp.resolve("two.prototxt"), """
                input: "data"
                input_shape { dim: 1 dim: 3 dim: 32 dim: 32 }
                input: "aux"
                input_shape { dim: 1 dim: 3 dim: 32 dim: 32 }
                layer { name: "s" type: "Eltwise" bottom: "data" bottom: "aux" top: "s" }
                """);
        Path none = Files.writeString(tmp.resolve("none.prototxt"), "layer { name: \"in\" type: \"Input\" input_param { shape { dim: 1 } } }\n");
        String image = TINYNET.resolve("images").resolve("red_00.png").toString();
        String rule = "; xportdnn and CHaiDNN run nets of one image input";
        String weights = TINYNET.resolve("tinynet.caffemodel").toString();
        assertEquals(2, run("infer", "--deploy_model", two.toString(), "--weights", weights, "--image", image));
        assertOneErrorLine(two + ": the net has 2 inputs (data, aux)" + rule);
        assertEquals(2, run("infer", "--deploy_model", none.toString(), "--weights", weights, "--image", image));
        assertOneErrorLine(none + ": the net has no input (an Input layer or an input: field)" + rule);
        assertEquals(2, run("bench", "--deploy_model", two.toString(), "--weights", weights));
        assertOneErrorLine(two + ": the net has 2 inputs (data, aux)" + rule);
    }

    private void assertOneErrorLine(String expectedPart) {
        List<String> lines = last.stderr().lines().toList();
        assertEquals(1, lines.size(), last.stderr());
        assertTrue(lines.get(0).startsWith("xportdnn: error: ") && lines.get(0).contains(expectedPart), lines.get(0));
        assertEquals("", last.stdout());
    }

    /** The layer keys of reference/<model>/layers.tsv, in forward order. */
    private static List<String> referenceKeys(Model model) throws IOException {
        List<String> rows = Files.readAllLines(model.reference("layers.tsv"));
        int column = List.of(rows.get(0).split("\t")).indexOf("key");
        return rows.stream().skip(1).map(r -> r.split("\t")[column]).toList();
    }

    /** Same shape and {@code max |ours - ref| / max |ref| <= 1e-4}. */
    static void assertClose(Blob reference, Blob ours, String what) {
        assertArrayEquals(reference.shape(), ours.shape(), what + ": shape");
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < reference.count(); i++) {
            diff = Math.max(diff, Math.abs(ours.data()[i] - reference.data()[i]));
            scale = Math.max(scale, Math.abs(reference.data()[i]));
        }
        double error = scale == 0 ? diff : diff / scale;
        assertTrue(error <= 1e-4, what + ": max relative error " + error);
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }
}
