package xportdnn.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import xportdnn.calib.ChannelStatistics;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Blob;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.pipeline.Calibration;
import xportdnn.pipeline.CalibrationInput;
import xportdnn.pipeline.FloatPasses;
import xportdnn.pipeline.LoadedNet;
import xportdnn.pipeline.Notice;
import xportdnn.pipeline.PreprocessingChecks;
import xportdnn.pipeline.TurnedImagesNote;
import xportdnn.pipeline.ValidationPipeline;
import xportdnn.pipeline.ValidationSettings;
import xportdnn.validate.FloatReference;
import xportdnn.validate.OutputBlob;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;
import xportdnn.validate.Validator;

/**
 * {@code compare}: the float net (BatchNorm/Scale folded into its convolutions, as every scheme starts from)
 * calibrated once, then float and every scheme scored on the same images, each scheme's model run by the
 * simulator, with its model bytes and activation footprint. The literature's schemes quantize the net's InnerProduct
 * layers too, as the convolutions they equal ({@link InnerProductConvolutions}); CHaiDNN's modes leave them to the
 * runtime's software, in float.
 */
public final class Comparison {

    /**
     * One scheme's scores.
     *
     * @param scheme         its label, e.g. {@code naive:8}
     * @param validation     float vs the scheme on the scored images (accuracies, drop with its interval,
     *                       agreement)
     * @param modelBytes     its parameter bytes ({@link ModelBytes})
     * @param footprintBytes its activation footprint, one image
     */
    public record Scored(String scheme, Validation validation, long modelBytes, long footprintBytes) {
    }

    /**
     * What a run measured.
     *
     * @param net                 the net's name
     * @param output              the output scored, and how
     * @param calibrationImages   how many images calibrated
     * @param floatModelBytes     the float net's parameter bytes
     * @param floatFootprintBytes its activation footprint, one image
     * @param schemes             every scheme's scores, in the order asked
     * @param notices             what the user should know (each scheme's export warnings, prefixed by it)
     * @param skipped             the calibration and scored images taken out as unreadable (--skip_bad_images),
     *                            one line each
     */
    public record Result(String net, ScoredOutput output, int calibrationImages, long floatModelBytes,
                         long floatFootprintBytes, List<Scored> schemes, List<Notice> notices, List<String> skipped) {

        /** The float net's accuracy on the scored images (every scheme scored the same images). */
        public Validation.Accuracy floatAccuracy() {
            return schemes.get(0).validation().floatAccuracy();
        }

        public long images() {
            return schemes.get(0).validation().images();
        }
    }

    private Comparison() {
    }

    /**
     * The float net's scores on the scored images, computed once for every scheme, when the passes run in this JVM
     * and the scored output of all the images takes at most a sixteenth of the heap (a dense map of many images may
     * not); else null, and each scheme runs the float net beside its simulator.
     */
    private static FloatReference floatReference(FloatPasses passes, FloatEngine floatNet, Transformer transformer,
            OutputBlob scores, ScoredOutput output, int batch, List<ImageSet.Entry> images, Progress progress) {
        int[] shape = scores.shape();
        long perImage = Blob.count(shape) / Math.max(1, shape[0]);
        if (!passes.inThisJvm() || 2L * Float.BYTES * perImage * images.size() > Runtime.getRuntime().maxMemory() / 16) {
            return null;
        }
        try (Progress.Step step = progress.start("float net", images.size())) {
            return Validator.floatReference(floatNet, transformer, output, batch, images, step);
        }
    }

    public static Result run(CompareSettings settings, Progress progress) {
        return run(settings, FloatPasses.HERE, progress, inputs -> { });
    }

    /**
     * The comparison with the calibration passes and each scheme's scoring run by {@code passes} (e.g. Spark).
     *
     * @param checkOutputs handed every file the run reads once both sets are listed, before any other work (the
     *                     outputs are checked against them there, no list parsed a second time for it)
     */
    public static Result run(CompareSettings settings, FloatPasses passes, Progress progress,
                             Consumer<List<Path>> checkOutputs) {
        // each set listed once, for the run and for the outputs to keep off the files it names; one set scored
        // and calibrated on gives its calibration draw, the one the scoring leaves out
        ImageSet scoredSet = ImageSet.open(passes.imageStore(), settings.images(), settings.labels(),
                settings.calibration().skipBadImages());
        ImageSet calibrationSet = settings.sharesCalibrationSet() ? scoredSet : ImageSet.open(passes.imageStore(),
                settings.calibration().images(), null, settings.calibration().skipBadImages());
        checkOutputs.accept(settings.inputFiles(passes.imageStore().localListing(scoredSet),
                passes.imageStore().localListing(calibrationSet)));
        LoadedNet loaded = LoadedNet.load(settings.deployModel(), settings.weights(), true);
        Net net = loaded.net();
        FloatEngine floatNet = new FloatEngine(net);
        OutputBlob scores = OutputBlob.choose(net, null);
        ScoredOutput output = ScoredOutput.of(scores);
        List<ImageSet.Entry> selected = ValidationPipeline.images(validationSettings(settings), scoredSet);
        if (output.classifies()) {
            ImageSet.requireLabelsBelow(scores.classes(), selected, settings.images(), "blob " + scores.describe());
        }
        CalibrationInput input = CalibrationInput.of(net, settings.calibration(),
                Calibration.images(settings.calibration(), calibrationSet), passes);
        Transformer transformer = input.transformer(); // the scored images are preprocessed as the calibration's
        BadImages.Screened screened = passes.screen(selected, transformer, settings.calibration().skipBadImages());
        List<ImageSet.Entry> images = screened.kept();
        Calibration calibration = Calibration.run(net, input, passes, progress);
        Set<String> channelLayers = SchemeNets.channelLayers(net, settings.schemes());
        Map<String, ChannelStatistics> channels = channelLayers.isEmpty() ? Map.of()
                : Calibration.channels(net, input, channelLayers, passes, progress);

        List<Scored> scored = new ArrayList<>();
        // no image is in both (of one set, compare scores the images calibration did not draw)
        List<String> skipped = Stream.concat(calibration.skipped().stream(), screened.skipped().stream()).toList();
        List<Notice> notices = new ArrayList<>(Notice.ofSet(scoredSet));
        if (calibrationSet != scoredSet) {
            notices.addAll(Notice.ofSet(calibrationSet));
        }
        notices.addAll(Notice.skipped(skipped));
        notices.addAll(PreprocessingChecks.of(loaded, transformer.settings(), calibration, calibrationSet, input,
                passes, progress));
        // the folded net's caffemodel (its weights again, as messages: VGG-16's 553 MB) is no longer needed: every
        // net below shares the float net's arrays
        loaded = null;
        // the layers CHaiDNN cannot run are the net's, not a scheme's: told once, not once per scheme
        List<Notice> unsupported = Notice.unsupported(net);
        notices.addAll(unsupported);
        Set<String> toldOnce = unsupported.stream().map(Notice::text).collect(Collectors.toSet());
        boolean innerProducts = net.layers().stream().anyMatch(l -> l.layerType() == LayerType.INNER_PRODUCT)
                && settings.schemes().stream().anyMatch(SchemeSpec::quantizesInnerProducts);
        InnerProductConvolutions convolutional = innerProducts ? InnerProductConvolutions.of(net) : null;
        if (convolutional != null && !convolutional.kept().isEmpty()) {
            notices.add(Notice.note("InnerProduct layer(s) " + String.join(", ", convolutional.kept().stream()
                    .map(n -> "'" + n + "'").toList()) + " stay float in every scheme: only an InnerProduct on "
                    + "the channel axis of an N x C x H x W blob (or of a Flatten of one), whose output no "
                    + "shape-dependent layer reads, is quantized as the convolution it equals"));
        }
        SchemeScoring scoring = new SchemeScoring(net, convolutional, calibration, channels, floatNet, transformer,
                output, settings.batch(), passes, images, progress, toldOnce,
                floatReference(passes, floatNet, transformer, scores, output, settings.batch(), images, progress));
        for (SchemeSpec spec : settings.schemes()) {
            scored.add(scoring.score(spec, notices));
        }
        if (!scored.isEmpty()) { // every scheme scores the same images
            Validation first = scored.get(0).validation();
            notices.addAll(TurnedImagesNote.of(first.turned(), first.images(), "scored images"));
        }
        return new Result(net.nameOr(settings.deployModel().getFileName().toString()), output, calibration.images(),
                ModelBytes.ofFloat(net), ModelBytes.floatFootprint(net),
                scored, notices, skipped);
    }

    /** The scored images as validate draws them: the calibration images left out when they come from this set. */
    private static ValidationSettings validationSettings(CompareSettings s) {
        ValidationSettings.Draw calibration = s.sharesCalibrationSet() ? new ValidationSettings.Draw(
                s.calibration().size(), s.calibration().seed(), s.calibration().indices()) : null;
        return new ValidationSettings(s.deployModel(), s.weights(), s.images(), s.labels(), s.count(), s.seed(),
                calibration, s.batch(), s.calibration().preprocessing(), null, false, null, null, Set.of(),
                s.calibration().skipBadImages());
    }
}
