package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.OutputMemory;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.LayerCost;
import xportdnn.validate.OutputBlob;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;

/**
 * The validation of a quantized net: the float net and the simulation of the device's arithmetic side by side on
 * labelled images, and optionally what each fixed-point output costs alone.
 */
public final class ValidationPipeline {

    /**
     * What a run measured. Its owner closes it when done with {@link #fixedNet}: that frees the simulator's native
     * arrays (the weights of the InnerProducts it computes in float, its convolutions' matrices) now.
     *
     * @param net        the quantized net
     * @param output     the output scored, and how
     * @param fixedNet   its simulation (its quant_type, output formats and notes)
     * @param validation accuracies, agreement and per-layer SQNR
     * @param samples    per layer, a sample of its float outputs (for histograms)
     * @param costs      each fixed-point output's cost alone, or null when not asked for
     * @param skipped    the chosen images taken out as unreadable (--skip_bad_images), one line each
     * @param notices    what the run left out or changed of what was asked (pictures a folder's scan does not
     *                   take, a batch too large for memory), one line each
     */
    public record Result(Net net, ScoredOutput output, FixedPointNet fixedNet, Validation validation,
                         Map<String, float[]> samples, List<LayerCost.Cost> costs, List<String> skipped, List<Notice> notices)
            implements AutoCloseable {

        @Override
        public void close() {
            fixedNet.close();
        }
    }

    private ValidationPipeline() {
    }

    public static Result run(ValidationSettings settings, Progress progress) {
        return run(settings, FloatPasses.HERE, progress, inputs -> { });
    }

    /**
     * The validation with the images scored by {@code passes} (e.g. on a Spark cluster).
     *
     * @param checkOutputs handed every file the run reads once the images are listed, before any other work (the
     *                     outputs are checked against them there, the list not parsed a second time for it)
     */
    public static Result run(ValidationSettings settings, FloatPasses passes, Progress progress,
                             Consumer<List<Path>> checkOutputs) {
        ImageSet set = ImageSet.open(passes.imageStore(), settings.images(), settings.labels(),
                settings.skipBadImages());
        checkOutputs.accept(settings.inputFiles(passes.imageStore().localListing(set)));
        Net net = LoadedNet.oneInput(settings.deployModel(),
                NetLoader.load(settings.deployModel(), settings.weights()));
        if (net.layers().stream().noneMatch(l -> l.param().hasPrecisionParam())) {
            throw new ModelException(settings.deployModel() + ": no precision_param blocks: not a quantized CHaiDNN "
                    + "prototxt (write one with --quant_type Xilinx or DynamicFixed first)");
        }
        boolean ownFloat = settings.floatModel() == null;
        FloatEngine quantizedInFloat = new FloatEngine(net);
        FloatEngine floatNet = ownFloat ? quantizedInFloat
                : new FloatEngine(LoadedNet.load(settings.floatModel(), settings.floatWeights(), false).net());
        // Per value of a batch's layer outputs the heap holds at least the simulator's code (the float nets' outputs
        // are ND4J's native memory, and each is compared as the simulator computes it, not kept). A batch that does
        // not fit runs in smaller batches, with a note; one image that does not fit is refused up front, whatever
        // the image count.
        long heap = Runtime.getRuntime().maxMemory();
        IntPredicate fits = b -> OutputMemory.fits(net, b, Integer.BYTES, layer -> 0, heap)
                && quantizedInFloat.fits(b) && (ownFloat || floatNet.fits(b));
        int batch = fittingBatch(settings.batch(), fits);
        List<String> notes = batch == settings.batch() ? List.of() : List.of(String.format(Locale.ROOT,
                "--batch %d: the layer outputs of %d images need more memory than this process may use (Java heap "
                        + "%s); validating %d at a time (more with the xportdnn launcher's XPORTDNN_JAVA_OPTS=-Xmx...)",
                settings.batch(), settings.batch(), OutputMemory.bytes(heap), batch));
        OutputMemory.check(net, batch, Integer.BYTES, heap,
                "Java heap (-Xmx; with the xportdnn launcher, e.g. XPORTDNN_JAVA_OPTS=-Xmx4g)");
        FixedPointNet fixedNet = new FixedPointNet(net, settings.floatLayers());
        OutputBlob scores = OutputBlob.choose(net, settings.blob());
        if (!ownFloat && !floatNet.net().blobShapes().containsKey(scores.name())) {
            throw new ModelException(settings.floatModel() + ": the float model has no blob '" + scores.name()
                    + "' to compare with the quantized net's");
        }
        requireComputedAlone(fixedNet, scores);
        ScoredOutput output = ScoredOutput.of(scores);
        if (settings.layerCost() && !output.classifies()) {
            throw new ModelException("--layer_cost counts changed top-1 answers, and blob " + scores.describe() + " ("
                    + Blob.describe(scores.shape()) + ") does not hold one score per class (pick one with --blob, "
                    + "or leave out --layer_cost)");
        }
        Transformer transformer = new Transformer(settings.preprocessing().resolve(net));
        List<ImageSet.Entry> selected = images(settings, set);
        if (output.classifies()) {
            ImageSet.requireLabelsBelow(scores.classes(), selected, settings.images(), "blob " + scores.describe());
        }
        BadImages.Screened screened = passes.screen(selected, transformer, settings.skipBadImages());
        List<ImageSet.Entry> chosen = screened.kept();

        ValidationJob job = new ValidationJob(floatNet, fixedNet, transformer, output, batch, !ownFloat);
        FloatPasses.Validated validated;
        try (Progress.Step step = progress.start("validating", chosen.size())) {
            validated = passes.validate(job, chosen, step);
        }
        List<LayerCost.Cost> costs = null;
        if (settings.layerCost()) {
            // Rounding one layer of the quantized net's own float run: its layers are the simulator's.
            LayerCost measure = new LayerCost(quantizedInFloat, fixedNet.outputFormats(), transformer, scores.name(),
                    batch);
            try (Progress.Step step = progress.start("layer cost", chosen.size())) {
                costs = measure.run(chosen, step);
            }
        }
        List<Notice> notices = new ArrayList<>(Notice.ofSet(set));
        notices.addAll(TurnedImagesNote.of(validated.validation().turned(), validated.validation().images(),
                "scored images"));
        notes.forEach(note -> notices.add(Notice.note(note)));
        notices.addAll(ClassScoreStepCheck.ofValidation(validated.validation().floatVerdicts(), net,
                settings.floatLayers()));
        return new Result(net, output, fixedNet, validated.validation(), validated.samples(), costs, screened.skipped(),
                notices);
    }

    /**
     * Refuses a scored blob that the simulator computes only inside a fused step (a convolution's output that a
     * BatchNorm, Scale or ReLU fused into it reads into another blob): the device never writes it.
     */
    private static void requireComputedAlone(FixedPointNet fixedNet, OutputBlob scores) {
        Net net = fixedNet.net();
        if (fixedNet.reportedLayers().stream().anyMatch(l -> net.layer(l).tops().contains(scores.name()))) {
            return;
        }
        String step = fixedNet.fusedLayers().getOrDefault(scores.producer().name(), scores.producer().name());
        throw new ModelException("--blob: blob " + scores.describe() + " is inside the fused step that ends at layer '"
                + step + "': the device never writes it; name that step's output blob '"
                + net.layer(step).tops().get(0) + "'");
    }

    /**
     * The largest batch up to {@code requested} that {@code fits} (which holds for every batch below one that it
     * holds for); {@code requested} itself when not even one image fits (its run is then refused, naming the memory
     * it needs).
     */
    static int fittingBatch(int requested, IntPredicate fits) {
        if (fits.test(requested) || !fits.test(1)) {
            return requested;
        }
        int low = 1; // fits
        int high = requested; // does not
        while (high - low > 1) {
            int mid = low + (high - low) / 2;
            if (fits.test(mid)) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The images to score, listed in {@code store}: all, or a seeded sample, without the calibration images when asked. */
    public static List<ImageSet.Entry> images(ValidationSettings settings, ImageStore store) {
        return images(settings, ImageSet.open(store, settings.images(), settings.labels(), settings.skipBadImages()));
    }

    /** As {@link #images(ValidationSettings, ImageStore)} of the set {@code settings} name, already opened. */
    public static List<ImageSet.Entry> images(ValidationSettings settings, ImageSet set) {
        List<ImageSet.Entry> pool = new ArrayList<>(set.entries());
        ValidationSettings.Draw excluded = settings.excludedDraw();
        if (excluded != null) {
            Set<String> calibration = new HashSet<>();
            CalibrationSample.select(set, excluded.size(), excluded.seed(), excluded.indices())
                    .forEach(e -> calibration.add(e.name()));
            pool.removeIf(e -> calibration.contains(e.name()));
        }
        if (pool.isEmpty()) {
            throw new ModelException("--images: no image left to score");
        }
        if (settings.count() == null) {
            return pool;
        }
        return CalibrationSample.select(ImageSet.of(pool), settings.count(), settings.seed(), null);
    }
}
