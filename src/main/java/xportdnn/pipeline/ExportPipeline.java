package xportdnn.pipeline;

import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import xportdnn.calib.SavedStatistics;
import xportdnn.calib.StatisticsOrigin;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.export.Json;
import xportdnn.export.PrototxtWriter;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.OutputFile;
import xportdnn.model.OutputPlan;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.tune.FastFinetune;

/**
 * The export, whatever the scheme: load (and fold) -> calibrate when the scheme needs it -> choose precisions and
 * build the quantized net -> write every output, all or nothing. Output paths are checked before the long work.
 */
public final class ExportPipeline {

    /**
     * What a run did.
     *
     * @param summary one line for the user, e.g. "calibrated on 8 images (kl-j); wrote 12 Xilinx precision_param
     *                blocks (bitwidths 8,8,8) to net_q.prototxt"
     * @param notices notes and warnings, in order
     */
    public record Outcome(String summary, List<Notice> notices) {
    }

    private ExportPipeline() {
    }

    /** One short line: how many convolutions took their BatchNorm/Scale, the first few named. */
    static String foldedNote(Collection<String> convolutions, boolean implicitly) {
        List<String> names = List.copyOf(convolutions);
        return "folded BatchNorm/Scale into " + names.size() + (names.size() == 1 ? " convolution" : " convolutions")
                + " (" + String.join(", ", names.subList(0, Math.min(3, names.size())))
                + (names.size() > 3 ? ", ..." : "") + ")" + (implicitly ? " as --fuse_bn does (--quantized_weights given)"
                : "");
    }

    /** Calibrates, loads saved statistics, or runs the second pass alone on loaded ranges, and says which. */
    private static Calibration calibrate(Net net, CalibrationInput input, StatisticsSettings cache,
                                         StatisticsOrigin origin, FloatPasses passes, List<Notice> notices,
                                         Progress progress) {
        if (!cache.loads()) {
            return Calibration.run(net, input, passes, progress);
        }
        List<SavedStatistics> saved = StatisticsCache.read(cache.load(), origin);
        String files = cache.load().stream().map(Path::toString).collect(Collectors.joining(", "));
        for (SavedStatistics f : saved) {
            if (!f.toolVersion().equals(StatisticsCache.TOOL_VERSION)) {
                notices.add(Notice.note(f.source() + " was saved by " + f.toolVersion() + ", this is "
                        + StatisticsCache.TOOL_VERSION));
            }
        }
        Calibration calibration = input == null ? Calibration.loaded(saved)
                : Calibration.secondPass(net, input, saved, passes, progress);
        notices.add(Notice.note(input == null
                ? "statistics of " + calibration.images() + " images loaded from " + files + " (no float pass)"
                : "second pass on " + calibration.images() + " images, laid out on the ranges of "
                + calibration.rangeImages().size() + " loaded from " + files));
        if (calibration.partial()) {
            notices.add(Notice.note("the histograms count " + calibration.images() + " of the "
                    + calibration.rangeImages().size() + " images whose ranges they are laid out on; load every "
                    + "shard's saved statistics together for the calibration on all of them"));
        }
        return calibration;
    }

    public static Outcome run(ExportSettings settings, Progress progress) {
        return run(settings, FloatPasses.HERE, progress);
    }

    /** The export with the calibration's float passes run by {@code passes} (e.g. on a Spark cluster). */
    public static Outcome run(ExportSettings settings, FloatPasses passes, Progress progress) {
        ExportScheme scheme = settings.scheme();
        // the calibration set listed once, for the run and for the outputs to keep off the files it names
        ImageSet calibrationSet = settings.calibration() != null && (scheme.calibrates() || settings.fastFinetune())
                ? ImageSet.open(passes.imageStore(), settings.calibration().images(), null,
                        settings.calibration().skipBadImages()) : null;
        OutputPlan outputs = new OutputPlan(settings.inputFiles(passes.imageStore().localListing(calibrationSet)))
                .add("--quantized_deploy_model", settings.quantizedDeployModel())
                .add("--quantized_weights", settings.quantizedWeights())
                .add("--report", settings.report())
                .add("--save_statistics", settings.statistics().save())
                .add("--quantized_deploy_model (its sidecar)", Sidecar.beside(settings.quantizedDeployModel()));
        LoadedNet loaded = LoadedNet.load(settings.deployModel(), settings.weights(), settings.folds(),
                settings.equalize());
        scheme.check(loaded.net());
        requireDeviceLayer(settings.deployModel(), loaded.net());
        CalibrationInput input = calibrationSet == null ? null : CalibrationInput.of(loaded.net(),
                settings.calibration(), Calibration.images(settings.calibration(), calibrationSet), passes);
        List<Notice> notices = new ArrayList<>();
        StatisticsSettings cache = settings.statistics();
        // The preprocessing the statistics were (or are) taken with: the calibration images', or a loaded file's.
        Preprocessing preprocessing = input != null ? input.transformer().settings()
                : cache.loads() || cache.save() != null ? settings.preprocessing().resolve(loaded.net()) : null;
        StatisticsOrigin origin = cache.loads() || cache.save() != null
                ? StatisticsCache.origin(settings, loaded, preprocessing) : null;
        Calibration calibration = scheme.calibrates() ? calibrate(loaded.net(), input, cache, origin, passes,
                notices, progress) : null;
        notices.addAll(PreprocessingChecks.of(loaded, preprocessing, calibration, calibrationSet, input, passes,
                progress));
        byte[] statistics = cache.save() == null ? null : StatisticsCache.encode(calibration, origin);
        ExportScheme.Exported exported = scheme.export(loaded.net(), calibration);
        if (input != null && calibration != null && settings.calibration().indices() == null
                && calibration.images() < settings.calibration().size()) {
            notices.add(Notice.note("--calibration_size " + settings.calibration().size() + ": the set has only "
                    + calibration.images() + " images; calibrated on all of them"));
        }
        if (input != null) {
            notices.addAll(Notice.ofSet(calibrationSet));
            notices.addAll(Notice.skipped(input.skipped()));
        }
        notices.addAll(exported.notices());
        if (loaded.folded() != null && !loaded.folded().folded().isEmpty()) {
            notices.add(Notice.note(foldedNote(loaded.folded().folded().keySet(), settings.foldsImplicitly())));
        }
        NetParameter quantized = exported.net();
        if (loaded.equalized() != null) {
            notices.add(Notice.note(Equalizing.summary(loaded.equalized())));
        }
        NetParameter caffemodel = loaded.caffemodel();
        FastFinetune.Result tuned = null;
        if (settings.fastFinetune()) {
            tuned = FineTuning.run(loaded.net(), quantized, input, progress);
            quantized = tuned.definition();
            caffemodel = tuned.caffemodel();
            notices.add(FineTuning.summary(tuned));
            notices.addAll(FineTuning.detectorNote(loaded.net()));
            notices.addAll(FineTuning.wrapped(tuned, input.images().size()));
        }
        notices.addAll(ClassScoreStepCheck.of(calibration, loaded.net(), quantized));
        // the report's layers as written: with the output formats the tuning changed
        Map<String, Object> report = exported.report() == null ? null : exported.report().apply(quantized);
        if (report != null && loaded.equalized() != null) {
            report.put("equalization", Equalizing.report(loaded.equalized()));
        }
        if (report != null && tuned != null) {
            report.put("fast_finetune", FineTuning.report(tuned));
        }
        if (report != null && input != null && !input.skipped().isEmpty()) {
            report.put("skipped_images", input.skipped());
        }

        Map<Path, OutputFile.Body> files = new LinkedHashMap<>();
        byte[] prototxt = utf8(PrototxtWriter.print(quantized));
        files.put(settings.quantizedDeployModel(), out -> out.write(prototxt));
        byte[] weights = caffemodel == null ? null : caffemodel.toByteArray();
        if (weights != null) {
            files.put(settings.quantizedWeights(), out -> out.write(weights));
        }
        if (statistics != null) {
            files.put(cache.save(), out -> out.write(statistics));
        }
        String sidecar = Sidecar.of(settings, prototxt, weights, input, preprocessing).toJson();
        files.put(Sidecar.beside(settings.quantizedDeployModel()), out -> out.write(OutputFile.utf8(sidecar)));
        if (report != null) {
            String json = Json.print(report);
            files.put(settings.report(), out -> out.write(OutputFile.utf8(json)));
        }
        outputs.write(files);

        return new Outcome(exported.summary() + " to " + settings.quantizedDeployModel() + (caffemodel != null
                ? " and the " + (settings.fastFinetune() ? "tuned" : settings.equalize() ? "equalized" : "folded")
                + " weights to "
                + settings.quantizedWeights() : ""), notices);
    }

    /**
     * Refuses a net CHaiDNN runs no layer of on the device (an InnerProduct-only net): nothing would be quantized,
     * and a DynamicFixed export wrote a prototxt without a precision_param block, which validate then refuses.
     */
    private static void requireDeviceLayer(Path prototxt, Net net) {
        if (net.layers().stream().noneMatch(l -> ChaidnnSupport.of(l.param()) == ChaidnnSupport.DEVICE)) {
            String types = net.layers().stream().filter(l -> ChaidnnSupport.of(l.param()) != ChaidnnSupport.INPUT)
                    .map(Layer::type).distinct().collect(Collectors.joining(", "));
            throw new ModelException(prototxt + ": CHaiDNN runs no layer of the net on the device (its " + types
                    + " run in software or not at all), so there is nothing to quantize (inspect shows where each "
                    + "layer runs)");
        }
    }

    private static byte[] utf8(String text) {
        try {
            return OutputFile.utf8(text);
        } catch (CharacterCodingException e) {
            throw new ModelException("the quantized prototxt holds text that is not valid Unicode: " + e.getMessage());
        }
    }
}
