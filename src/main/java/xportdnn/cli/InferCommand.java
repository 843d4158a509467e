package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import xportdnn.data.BadImages;
import xportdnn.data.ClassNames;
import xportdnn.data.FloatImage;
import xportdnn.data.ImageDecoder;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Preprocessing;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Transformer;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerDump;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;
import xportdnn.model.OutputFile;
import xportdnn.model.OutputPlan;
import xportdnn.pipeline.LoadedNet;
import xportdnn.pipeline.Notice;
import xportdnn.pipeline.PreprocessingChecks;
import xportdnn.pipeline.TurnedImagesNote;
import xportdnn.pipeline.Sidecar;
import xportdnn.validate.Accuracy;
import xportdnn.validate.Classifier;
import xportdnn.validate.DetectionAgreement;
import xportdnn.validate.DetectionsTsv;
import xportdnn.validate.Detector;
import xportdnn.validate.OutputBlob;
import xportdnn.validate.Prediction;
import xportdnn.validate.PredictionsTsv;

/** {@code xportdnn infer}: runs the float net on one input or on a labelled image set. */
@Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the float net on one input or on a set of images.",
            "",
            "One input (--image, or --input with an already preprocessed NCHW blob): prints the top-5 classes of the "
                    + "output blob (a softmax is applied when it holds logits rather than probabilities), or, for "
                    + "any other output, its shape, min, max and mean (and for an SSD DetectionOutput the detections "
                    + "with confidence > 0.5). --dump writes every layer's output, --output the output blob.",
            "",
            "A set (--images): classifies the images in batches and prints top-1/top-5 accuracy when labels are "
                    + "known; --predictions writes one line per image (image, label, top1, top5, top1_prob; "
                    + "label -1 when unknown). Through an SSD detector it counts the detections with confidence > "
                    + "0.5, and --predictions writes every detection (image, det, label, confidence, xmin, ymin, "
                    + "xmax, ymax, and the corners in the picture's pixels)."})
public final class InferCommand implements Callable<Integer> {

    /** Exactly one source of input. */
    static final class Source {
        @Option(names = "--image", required = true, paramLabel = "FILE",
                description = "One image file (JPEG, PNG, BMP, PNM), preprocessed with the flags below.")
        Path image;

        @Option(names = "--input", required = true, paramLabel = "NPY",
                description = "An already preprocessed input blob (.npy, NCHW, batch 1 or more; CHW for one image).")
        Path input;

        @Option(names = "--images", required = true, paramLabel = "SET",
                description = {"A set of images, one of:",
                    "- a folder, searched recursively (image names: the paths below it); unlabelled, or with "
                            + "--labels CLASSES.txt labelled by class-named subfolders (folder <name> = the line "
                            + "of CLASSES.txt that is <name> or starts with <name> and a space);",
                    "- a Caffe val.txt-style list, 'path label' per line, paths relative to the list's folder "
                            + "(image names as written in the list);",
                    "- an IDX image file such as MNIST's, with --labels its IDX label file (images named 00000, "
                            + "00001, ...)."})
        Path images;
    }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelFiles model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "With --images: the IDX label file of an IDX image file, or the class names of a folder "
                    + "of class folders. A list carries its own labels.")
    Path labels;

    @Mixin
    PreprocessingOptions preprocessing;

    @Mixin
    SidecarOption sidecar;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
            description = "Images per forward pass with --images. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--blob", paramLabel = "NAME",
            description = "The blob to report (any blob of the net). Default: the net's last output.")
    String blob;

    @Option(names = "--class_names", paramLabel = "FILE",
            description = "Class names for the top classes of one input, line k = class k (synset_words.txt lines "
                    + "show their text).")
    Path classNames;

    @Option(names = "--dump", paramLabel = "DIR",
            description = "One input: write every layer's own output to DIR/<layer name, '/' as '__'>.npy "
                    + "(float32, NCHW; the Input layer's file is the input blob). DIR is created if missing.")
    Path dump;

    @Option(names = "--output", paramLabel = "NPY", description = "One input: write the output blob as .npy.")
    Path output;

    @Option(names = "--predictions", paramLabel = "TSV", description = "With --images: write one line per image "
            + "(a detector: per detection).")
    Path predictions;

    @Mixin
    SkipBadImagesOption skipBadImages;

    @Mixin
    QuietOption quiet;

    /** --input's blob, read once. */
    private Blob inputBlob;

    /** {@link #inputs}, listed once. */
    private List<Path> readFiles;

    /** --images, opened once (for {@link #inputs} and the run). */
    private ImageSet listedImages;

    @Override
    public Integer call() {
        checkFlags();
        // before a long run, not after it
        new OutputPlan(inputs()).add("--output", output).add("--predictions", predictions);
        Net net = LoadedNet.oneInput(model.deployModel, NetLoader.load(model.deployModel, model.weights));
        if (source.input != null) {
            inputBlob = Npy.read(source.input);
        }
        net = fitInputSize(net);
        FloatEngine engine = new FloatEngine(net);
        OutputBlob out = OutputBlob.choose(net, blob);
        ClassNames names = null;
        if (classNames != null) {
            if (out.classes() == 0) {
                throw new ModelException("--class_names: output " + out.describe() + " ("
                        + Blob.describe(out.shape()) + ") does not hold one score per class");
            }
            names = ClassNames.read(classNames);
            names.requireCount(out.classes(), "output " + out.describe());
        }
        if (source.images != null) {
            if (out.isDetection()) {
                detectSet(net, engine, out);
            } else {
                classifySet(net, engine, out);
            }
        } else {
            runOne(net, engine, out, names);
        }
        return 0;
    }

    private void checkFlags() {
        boolean set = source.images != null;
        if (labels != null && !set) {
            throw new ModelException("--labels goes with --images");
        }
        if (predictions != null && !set) {
            throw new ModelException("--predictions goes with --images (one line per image of the set)");
        }
        if (!set && skipBadImages.skip) {
            throw new ModelException("--skip_bad_images goes with --images (one input that cannot be read is the "
                    + "error)");
        }
        if (!set && spec.commandLine().getParseResult().hasMatchedOption("--batch")) {
            throw new ModelException("--batch goes with --images (one input is one pass)");
        }
        if (set && (dump != null || output != null)) {
            throw new ModelException((dump != null ? "--dump" : "--output") + " goes with one input (--image or "
                    + "--input), not with --images");
        }
        if (batch < 1) {
            throw new ModelException("--batch: " + batch + " is not a positive number of images");
        }
    }

    /** One image or one preprocessed blob: the top classes, or a summary of the output. */
    private void runOne(Net net, FloatEngine engine, OutputBlob out, ClassNames names) {
        float[] data;
        int images;
        int width = 0;
        int height = 0;
        Path inputFile = source.image != null ? source.image : source.input;
        if (source.image != null) {
            Transformer transformer = new Transformer(preprocessingFor(net, engine));
            FloatImage image = ImageDecoder.load(source.image, transformer.settings().color());
            data = new float[transformer.size()];
            transformer.preprocess(image, data, 0);
            images = 1;
            width = image.width();
            height = image.height();
        } else {
            Blob blob = inputBlob;
            images = batchOf(blob.shape(), net.shape(engine.inputNames().get(0)), engine.inputNames().get(0));
            data = blob.data();
            noteIgnoredPreprocessing();
        }
        LayerDump layerDump = dump == null ? null : new LayerDump(dump, inputs());
        INDArray result = BlobCapture.forward(engine, data, images, out.name(), layerDump);
        float[] values = Tensors.floats(result);
        int[] shape = Arrays.stream(result.shape()).mapToInt(Math::toIntExact).toArray();
        if (output != null) {
            Npy.write(new Blob(shape, values), output, inputs());
        }

        PrintWriter stdout = spec.commandLine().getOut();
        int classes = out.classes();
        if (classes > 0) {
            boolean softmax = !Prediction.isDistribution(values, images, classes);
            if (softmax) {
                stdout.println(logitsNote(out));
            }
            for (int i = 0; i < images; i++) {
                String which = images == 1 ? inputFile.toString() : "image " + i + " of " + inputFile;
                stdout.println(which + ": top " + Math.min(Classifier.TOP, classes) + " of " + classes
                        + " classes of output " + out.describe());
                stdout.print(InferReport.topClasses(
                        Prediction.rank(values, i * classes, classes, Classifier.TOP, softmax), names));
            }
        } else {
            stdout.print(InferReport.summary(out.describe(), shape, values));
            if (out.isDetection()) {
                stdout.print(InferReport.detections(values, width, height));
            }
        }
        if (layerDump != null) {
            stdout.println("wrote " + layerDump.written().size() + " layer outputs to " + dump);
        }
        if (output != null) {
            stdout.println("wrote output " + out.describe() + " (" + Blob.describe(shape) + ") to " + output);
        }
        stdout.flush();
    }

    /** A set of images: predictions, accuracy when labelled, and the predictions file. */
    private void classifySet(Net net, FloatEngine engine, OutputBlob out) {
        int classes = out.classes();
        if (classes == 0) {
            throw new ModelException("--images: output " + out.describe() + " (" + Blob.describe(out.shape())
                    + ") holds neither one score per class nor SSD detections; name the class-score blob with --blob "
                    + "(validate scores any output against float)");
        }
        ScreenedImages images = screenedImages(net, engine, listed -> ImageSet.requireLabelsBelow(classes,
                listed.entries(), source.images.toString(), "output " + out.describe()));
        Transformer transformer = images.transformer();
        ImageSet set = images.set();
        Classifier.Result result = runOver(set, new Classifier(engine, transformer, out.name(), classes, batch)::run);
        PredictionsTsv table = new PredictionsTsv();
        Accuracy accuracy = new Accuracy();
        for (int i = 0; i < set.size(); i++) {
            ImageSet.Entry entry = set.get(i);
            Prediction prediction = result.predictions().get(i);
            table.add(entry.name(), entry.label(), prediction);
            entry.label().ifPresent(label -> accuracy.add(label, prediction));
        }
        if (predictions != null) {
            OutputFile.writeString(predictions, table.text(), inputs());
        }

        PrintWriter stdout = spec.commandLine().getOut();
        if (result.softmaxApplied()) {
            stdout.println(logitsNote(out));
        }
        stdout.println(set.size() + " image" + (set.size() == 1 ? "" : "s") + " classified by output "
                + out.describe() + " (" + classes + " classes)");
        if (accuracy.images() > 0) {
            int k = Math.min(Classifier.TOP, classes);
            stdout.println(String.format(Locale.ROOT, "top-1 accuracy %.4f (%d of %d)", accuracy.top1(),
                    accuracy.top1Correct(), accuracy.images()));
            stdout.println(String.format(Locale.ROOT, "top-%d accuracy %.4f (%d of %d)", k, accuracy.topK(),
                    accuracy.topKCorrect(), accuracy.images()));
            new Notes(spec.commandLine().getErr()).warn(accuracy.labelCheck(classes).warning());
        } else {
            stdout.println("no labels, so no accuracy");
        }
        if (predictions != null) {
            stdout.println("wrote predictions to " + predictions);
        }
        stdout.flush();
        Notes notes = new Notes(spec.commandLine().getErr());
        notes.print(PreprocessingChecks.channelOrder(engine, out, set, transformer, batch,
                ProgressBar.factory(quiet.quiet)));
        notes.print(Notice.ofSet(images.listed()));
        notes.print(TurnedImagesNote.of(result.turned(), set.size(), "images"));
        notes.print(Notice.skipped(images.screened().skipped()));
    }

    /** A set of images through a detector: the detections above 0.5 counted, and every one in the predictions file. */
    private void detectSet(Net net, FloatEngine engine, OutputBlob out) {
        ScreenedImages images = screenedImages(net, engine, listed -> { });
        ImageSet set = images.set();
        List<Detector.Detections> found = runOver(set,
                new Detector(engine, images.transformer(), out.name(), batch)::run);
        DetectionsTsv table = new DetectionsTsv();
        long confident = 0;
        long imagesWithOne = 0;
        for (int i = 0; i < set.size(); i++) {
            table.add(set.get(i).name(), found.get(i));
            long n = DetectionAgreement.countConfident(found.get(i).rows());
            confident += n;
            imagesWithOne += n > 0 ? 1 : 0;
        }
        if (predictions != null) {
            OutputFile.writeString(predictions, table.text(), inputs());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(String.format(Locale.ROOT, "%d image%s through the detector's output %s: %d detection%s with "
                + "confidence > %s, in %d image%s", set.size(), set.size() == 1 ? "" : "s", out.describe(), confident,
                confident == 1 ? "" : "s", DetectionAgreement.CONFIDENCE, imagesWithOne,
                imagesWithOne == 1 ? "" : "s"));
        if (predictions != null) {
            stdout.println("wrote every detection to " + predictions);
        }
        stdout.flush();
        Notes notes = new Notes(spec.commandLine().getErr());
        notes.print(Notice.ofSet(images.listed()));
        notes.print(Notice.skipped(images.screened().skipped()));
    }

    /** --images as listed, the images kept after screening out unreadable ones, and the transformer reading them. */
    private record ScreenedImages(Transformer transformer, ImageSet listed, BadImages.Screened screened, ImageSet set) {
    }

    /**
     * --images, preprocessed for this net: listed, shown to {@code check} (which may refuse it), then screened for
     * unreadable images (skipped with --skip_bad_images, else refused).
     */
    private ScreenedImages screenedImages(Net net, FloatEngine engine, Consumer<ImageSet> check) {
        Transformer transformer = new Transformer(preprocessingFor(net, engine));
        ImageSet listed = listedImages();
        check.accept(listed);
        BadImages.Screened screened = BadImages.screen(listed.entries(), transformer, skipBadImages.skip);
        return new ScreenedImages(transformer, listed, screened, ImageSet.of(screened.kept()));
    }

    /** {@code pass} over every image of {@code set}, behind a progress bar. */
    private <T> T runOver(ImageSet set, BiFunction<List<ImageSet.Entry>, IntConsumer, T> pass) {
        try (ProgressBar bar = new ProgressBar("infer", set.size(), quiet.quiet)) {
            return pass.apply(set.entries(), bar);
        }
    }

    /**
     * The net reshaped to the image size the input has (--input's blob, or --dims for images) where only height
     * and width differ from the prototxt's, as Caffe's Reshape and OpenCV's setInput do, with a note; refused,
     * saying why, where the net cannot take it (weights that depend on the size, fixed Reshape dims).
     */
    private Net fitInputSize(Net net) {
        int[] wanted = inputBlob != null ? inputBlob.shape() : CommaList.Ints.of(preprocessing.dims);
        if (wanted == null) {
            return net;
        }
        wanted = wanted.length == 4 ? Arrays.copyOfRange(wanted, 1, 4) : wanted;
        String input = net.inputBlobs().get(0); // its one input (LoadedNet.oneInput)
        int[] declared = net.shape(input);
        if (declared.length != 4 || wanted.length != 3 || wanted[0] != declared[1]
                || Arrays.equals(wanted, Arrays.copyOfRange(declared, 1, 4))) {
            return net; // same size, or another channel count: the shape checks below say what fits
        }
        Net reshaped;
        try {
            reshaped = NetLoader.reshape(net, input, new int[] {declared[0], wanted[0], wanted[1], wanted[2]});
        } catch (ModelException e) {
            throw e.inFile(model.deployModel);
        }
        PrintWriter err = spec.commandLine().getErr();
        boolean swapped = wanted[1] == declared[3] && wanted[2] == declared[2]; // e.g. 320x240 for 240x320
        err.println("xportdnn: note: input '" + input + "' is " + wanted[1] + "x" + wanted[2] + " (height x width), the "
                + "prototxt's " + declared[2] + "x" + declared[3] + ": the net is reshaped to it, as Caffe and OpenCV do"
                + (swapped ? " (its height and width the other way round: --dims is C,H,W, so images are stretched to "
                + wanted[1] + " high and " + wanted[2] + " wide; --dims " + wanted[0] + "," + declared[2] + ","
                + declared[3] + " keeps the prototxt's)" : ""));
        err.flush();
        return reshaped;
    }

    /** The preprocessing flags for this net; the dims must be the net input's. */
    private Preprocessing preprocessingFor(Net net, FloatEngine engine) {
        Preprocessing settings = sidecar.flags(sidecar.find(model.deployModel), preprocessing,
                spec.commandLine().getErr()).resolve(net);
        String input = engine.inputNames().get(0);
        int[] shape = net.shape(input);
        PreprocessingFlags.checkDims(settings.dims(), input, shape);
        return settings;
    }

    /** Images in a preprocessed blob: its first dim, or 1 for a single image without the batch dim. */
    private int batchOf(int[] shape, int[] netShape, String input) {
        int[] perImage = Arrays.copyOfRange(netShape, 1, netShape.length);
        if (shape.length == netShape.length && shape[0] > 0
                && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), perImage)) {
            return shape[0];
        }
        if (Arrays.equals(shape, perImage)) {
            return 1;
        }
        throw new ModelException(source.input + ": the blob is " + Blob.describe(shape) + ", the net's input '"
                + input + "' takes N x " + Blob.describe(perImage));
    }

    /** Preprocessing flags have no effect on an already preprocessed blob: say so rather than ignore silently. */
    private void noteIgnoredPreprocessing() {
        ParseResult parsed = spec.commandLine().getParseResult();
        List<String> ignored = new ArrayList<>();
        for (OptionSpec option : Stream.of("preprocessing", "sidecar")
                .flatMap(mixin -> spec.mixins().get(mixin).options().stream()).toList()) {
            if (parsed.hasMatchedOption(option)) {
                ignored.add(option.longestName());
            }
        }
        if (!ignored.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("xportdnn: note: " + String.join(" ", ignored) + " ignored: --input is already preprocessed");
            err.flush();
        }
    }

    private static String logitsNote(OutputBlob out) {
        return "note: output " + out.describe() + " holds logits, not probabilities (no Softmax): the "
                + "probabilities are its softmax";
    }

    /** Every file the run reads (with --images, each image a list names), which no output may overwrite. */
    private List<Path> inputs() {
        if (readFiles == null) {
            List<Path> files = new ArrayList<>(Stream.of(model.deployModel, model.weights, source.image, source.input,
                    labels, classNames, preprocessing.meanFileOrNull(), Sidecar.beside(model.deployModel))
                    .filter(Objects::nonNull).toList());
            if (source.images != null) {
                files.addAll(listedImages().inputFiles(source.images));
            }
            readFiles = List.copyOf(files);
        }
        return readFiles;
    }

    private ImageSet listedImages() {
        if (listedImages == null) {
            listedImages = ImageSet.open(ImageStore.LOCAL, source.images.toString(), labels, skipBadImages.skip);
        }
        return listedImages;
    }
}
