package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.ToolVersion;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.pipeline.Notice;
import xportdnn.pipeline.Sidecar;
import xportdnn.pipeline.ValidationPipeline;
import xportdnn.pipeline.ValidationSettings;
import xportdnn.precision.DynamicFixed;
import xportdnn.precision.XilinxScheme;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.LayerCost;
import xportdnn.validate.OutputSummary;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;
import xportdnn.validate.ValidationReport;

/**
 * {@code xportdnn validate}: the accuracy a CHaiDNN quantized net keeps, measured on the host by running the float
 * net and the fixed-point simulation side by side on a labelled set, with the per-layer SQNR.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scores a quantized CHaiDNN prototxt (either mode) on labelled images: top-1/top-5 of the float "
                + "net and of the fixed-point simulation, their top-1 agreement, and the SQNR of every layer.")
final class ValidateCommand implements Callable<Integer> {

    /** How the outputs of --float_layers are marked: they are not what the device computes. */
    static final String FLOAT_MARK = ValidationReport.FLOAT_MARK;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelFiles model;

    @Option(names = "--images", required = true, paramLabel = "SET",
            description = "A folder, a val.txt-style list (labels included) or an MNIST IDX file.")
    String images;

    @Mixin
    ScoredDraw scored;

    @Option(names = "--exclude_calibration", description = "Leave out the images the export calibrated on (its "
            + "sidecar's draw, else give the export's --calibration_size/--calibration_seed or --calibration_indices).")
    boolean excludeCalibration;

    @Mixin
    CalibrationDraw calibrationDraw;

    @Mixin
    PreprocessingOptions preprocessing;

    @Mixin
    SidecarOption sidecar;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--blob", paramLabel = "NAME", description = "The blob scored, any the device writes (class "
            + "scores, a detector's rows, a dense map, other values: each scored as its kind asks). Default: the net's "
            + "output.")
    String blob;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the scores as JSON.")
    Path json;

    @Option(names = "--report", paramLabel = "HTML",
            description = "Write a self-contained HTML report: summary, per-layer SQNR chart, histograms.")
    Path report;

    @Option(names = "--float_model", paramLabel = "PROTOTXT", description = "The float net to compare with "
            + "(default: the quantized prototxt and --weights run in float). Give the original net when --weights "
            + "were folded (--fuse_bn) or tuned (--fast_finetune); layers are then compared by blob (after --equalize "
            + "an equalized layer's channels are scaled: leave this out to compare its layers).")
    Path floatModel;

    @Option(names = "--float_weights", paramLabel = "CAFFEMODEL", description = "Its caffemodel.")
    Path floatWeights;

    @Option(names = "--layer_cost", description = "Also measure what each fixed-point output costs alone: the float "
            + "net with only that layer's output rounded to its format, its top-1 agreement with plain float (one "
            + "more float pass over the images per layer).")
    boolean layerCost;

    @Option(names = "--float_layers", paramLabel = "LAYER,...", converter = CommaList.NamesConverter.class,
            description = "Simulate these device layers in float (analysis, not what the device runs: e.g. the "
                    + "head on the ARM); a fused convolution chain as a whole. Their float output is quantized with "
                    + "the input format of the next layer computing in integers.")
    CommaList.Names floatLayers;

    @Mixin
    SparkOption spark;

    @Mixin
    SkipBadImagesOption skipBadImages;

    @Mixin
    QuietOption quiet;

    /** The draw flags, or the export's from the sidecar where none is given. */
    private ValidationSettings.Draw excludedDraw(ParseResult given, Sidecar.Lookup found) {
        boolean drawGiven = Stream.of("--calibration_size", "--calibration_seed", "--calibration_indices")
                .anyMatch(given::hasMatchedOption);
        return sidecar.excludedDraw(found, calibrationDraw.draw(), drawGiven, spec.commandLine().getErr());
    }

    @Override
    public Integer call() {
        ParseResult given = spec.commandLine().getParseResult();
        scored.check(given);
        if (!excludeCalibration) {
            for (String flag : List.of("--calibration_size", "--calibration_seed", "--calibration_indices")) {
                XportCommand.refuse(given, flag, "without --exclude_calibration (it names the images to leave out)");
            }
        }
        calibrationDraw.check(given);
        Sidecar.Lookup found = sidecar.find(model.deployModel); // read once, for the three uses below
        sidecar.checkWeights(found, model.weights, spec.commandLine().getErr());
        ValidationSettings settings = new ValidationSettings(model.deployModel, model.weights, images, scored.labels,
                scored.count, scored.seed, excludeCalibration ? excludedDraw(given, found) : null, batch,
                sidecar.flags(found, preprocessing, spec.commandLine().getErr()), blob,
                layerCost, floatModel, floatWeights, Set.copyOf(CommaList.Names.of(floatLayers)),
                skipBadImages.skip);
        JsonAndHtml outputs = new JsonAndHtml(json, report);
        if (spark.master != null) {
            XportCommand.refuse(given, "--layer_cost", "with --spark (its float passes, one per layer, run on one "
                    + "machine; leave out --spark)");
        }
        try (ValidationPipeline.Result result = spark.run(passes -> ValidationPipeline.run(settings, passes,
                quiet.progress(), outputs::check))) {
            Validation v = result.validation();
            List<LayerCost.Cost> costs = result.costs();
            String mode = result.fixedNet().quantType();
            Set<String> floated = result.fixedNet().floatLayers();
            print(v, result.output(), mode, lastOutput(result.fixedNet()), floated);
            if (costs != null) {
                printCosts(costs);
            }
            for (String note : result.fixedNet().notes()) {
                spec.commandLine().getErr().println("xportdnn: note: " + note);
            }
            new Notes(spec.commandLine().getErr()).print(result.notices());
            new Notes(spec.commandLine().getErr()).print(Notice.skipped(result.skipped()));
            new Notes(spec.commandLine().getErr()).warn(v.floatLabelCheck().warning());
            scored.noteShortSet(spec.commandLine().getErr(), v.images() + result.skipped().size());
            spec.commandLine().getErr().flush();
            outputs.write(() -> jsonOf(v, result.output(), mode, costs, floated, result.skipped()),
                    () -> ValidationReport.html(result.net().nameOr(model.deployModel.getFileName().toString())
                                    + ": float vs " + mode + " fixed point",
                            provenance(), v, result.output(), result.fixedNet().outputFormats(),
                            histograms(result.net(), v, result.samples()), costs == null ? List.of() : costs, floated));
        }
        return 0;
    }

    /** What this run reads and how it was asked for, for the report's head. */
    private ValidationReport.Provenance provenance() {
        List<String> args = new ArrayList<>(List.of("xportdnn"));
        for (String arg : spec.commandLine().getParseResult().originalArgs()) {
            args.add(arg.isEmpty() || arg.matches(".*[\\s'\"$\\\\].*") ? "'" + arg.replace("'", "'\\''") + "'" : arg);
        }
        return new ValidationReport.Provenance(model.deployModel.toString(), model.weights.toString(),
                images.toString(), String.join(" ", args), ToolVersion.TEXT,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** The net's last fixed-point output and its format, e.g. "pool_final (8-bit threshold 130, step 1.02)". */
    private static String lastOutput(FixedPointNet fixedNet) {
        Map.Entry<String, xportdnn.precision.NumberFormat> last = null;
        for (Map.Entry<String, xportdnn.precision.NumberFormat> e : fixedNet.outputFormats().entrySet()) {
            last = e;
        }
        return last == null ? "none" : String.format(Locale.ROOT, "%s (%s, step %.3g)", last.getKey(), last.getValue(),
                last.getValue().step(0));
    }

    private void print(Validation v, ScoredOutput output, String mode, String lastOutput, Set<String> floated) {
        PrintWriter out = spec.commandLine().getOut();
        String computed = floated.isEmpty() ? "" : " except " + String.join(", ", floated) + ", " + FLOAT_MARK;
        if (output.classifies()) {
            printClassScores(out, v, mode, lastOutput, computed);
        } else {
            out.printf(Locale.ROOT, "%d images; %s fixed point%s%n", v.images(), mode, computed);
            OutputSummary.lines(output, v).forEach(out::println);
        }
        out.println();
        TextTable table = floated.isEmpty() ? new TextTable("layer", ">SQNR (dB)")
                : new TextTable("layer", ">SQNR (dB)", "computed");
        for (Validation.LayerError e : v.layers()) {
            String sqnr = Double.isFinite(e.sqnrDb()) ? String.format(Locale.ROOT, "%.2f", e.sqnrDb()) : "exact";
            if (floated.isEmpty()) {
                table.add(e.name(), sqnr);
            } else {
                table.add(e.name(), sqnr, floated.contains(e.name()) ? FLOAT_MARK : "");
            }
        }
        out.print(table.render());
        out.flush();
    }

    /** A classifier's accuracy, drop, agreement, ties and wrapped averages. */
    private static void printClassScores(PrintWriter out, Validation v, String mode, String lastOutput,
                                         String computed) {
        Validation.Accuracy f = v.floatAccuracy();
        Validation.Accuracy q = v.fixedAccuracy();
        out.printf(Locale.ROOT, "%d images, %d labelled; %s fixed point%s%n", v.images(), f.labelled(), mode,
                computed);
        if (f.labelled() > 0) {
            out.printf(Locale.ROOT, "              top-1    top-5%n");
            out.printf(Locale.ROOT, "float       %6.2f%%  %6.2f%%%n", 100 * f.top1Rate(), 100 * f.top5Rate());
            out.printf(Locale.ROOT, "fixed       %6.2f%%  %6.2f%%%n", 100 * q.top1Rate(), 100 * q.top5Rate());
            out.printf(Locale.ROOT, "drop        %6.2f   %6.2f   points%n", 100 * (f.top1Rate() - q.top1Rate()),
                    100 * (f.top5Rate() - q.top5Rate()));
        } else {
            out.println("no labels, so no accuracy (a val.txt-style list, or a folder with --labels, has them); "
                    + "float vs fixed-point agreement and SQNR follow");
        }
        Validation.TopOneDrop d = v.topOneDrop();
        if (d.labelled() > 0) {
            out.printf(Locale.ROOT, "top-1 drop 95%% interval %.2f to %.2f points (paired: %d images right only in "
                    + "float, %d only in fixed)%n", 100 * d.low(), 100 * d.high(), d.floatOnly(), d.fixedOnly());
        }
        out.printf(Locale.ROOT, "top-1 agreement %.2f%%%n", 100 * v.top1Agreement());
        if (v.fixedTiedTop() > 0) {
            out.printf(Locale.ROOT, "fixed top-1 tied in %d images (%.2f%%): two or more classes share the top score, "
                    + "the lower class id is taken; the last fixed-point output is %s%n", v.fixedTiedTop(),
                    100.0 * v.fixedTiedTop() / v.images(), lastOutput);
        }
        v.wrappedAverageNotes().forEach(note -> out.println(note + "; a coarser output format for it (or for the "
                + "layer it averages) holds them"));
    }

    private void printCosts(List<LayerCost.Cost> costs) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%nwhat each output costs alone (float net with only that layer's output rounded): "
                + "top-1 agreement with float%n");
        TextTable table = new TextTable("layer", "format", ">agreement");
        for (LayerCost.Cost c : costs) {
            table.add(c.layer(), c.format().toString(), String.format(Locale.ROOT, "%.2f%%", 100 * c.agreement()));
        }
        out.print(table.render());
        List<String> worst = costs.stream().sorted(Comparator.comparingDouble(LayerCost.Cost::agreement)).limit(3)
                .map(c -> String.format(Locale.ROOT, "%s (%.2f%%)", c.layer(), 100 * c.agreement())).toList();
        if (!worst.isEmpty()) {
            out.printf(Locale.ROOT, "costliest: %s%n", String.join(", ", worst));
        }
        out.flush();
    }

    private static Map<String, Object> jsonOf(Validation v, ScoredOutput output, String mode,
                                              List<LayerCost.Cost> costs, Set<String> floated, List<String> skipped) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("images", v.images());
        if (!skipped.isEmpty()) {
            root.put("skipped_images", skipped);
        }
        root.put("quant_type", mode);
        if (!floated.isEmpty()) {
            root.put("float_layers", List.copyOf(floated));
        }
        if (output.classifies()) {
            putClassScores(root, v);
        }
        root.put("output", OutputSummary.json(output, v));
        root.put("wrapped_average_images", v.wrappedAverages());
        List<Object> layers = new ArrayList<>();
        for (Validation.LayerError e : v.layers()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", e.name());
            l.put("sqnr_db", e.sqnrDb());
            if (floated.contains(e.name())) {
                l.put("float", true);
            }
            layers.add(l);
        }
        root.put("layers", layers);
        if (costs != null) {
            List<Object> cost = new ArrayList<>();
            for (LayerCost.Cost c : costs) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("name", c.layer());
                l.put("format", c.format().toString());
                l.put("top1_agreement", c.agreement());
                cost.add(l);
            }
            root.put("layer_cost", cost);
        }
        return root;
    }

    /** A classifier's accuracies, agreement, drop and ties. */
    private static void putClassScores(Map<String, Object> root, Validation v) {
        root.put("float", accuracy(v.floatAccuracy()));
        root.put("fixed", accuracy(v.fixedAccuracy()));
        root.put("top1_agreement", v.top1Agreement());
        Validation.TopOneDrop d = v.topOneDrop();
        Map<String, Object> drop = new LinkedHashMap<>();
        drop.put("points", 100 * d.drop());
        drop.put("ci95_points", List.of(100 * d.low(), 100 * d.high()));
        drop.put("float_only", d.floatOnly());
        drop.put("fixed_only", d.fixedOnly());
        root.put("top1_drop", drop);
        Map<String, Object> ties = new LinkedHashMap<>();
        ties.put("float", v.floatTiedTop());
        ties.put("fixed", v.fixedTiedTop());
        root.put("top1_ties", ties);
    }

    private static Map<String, Object> accuracy(Validation.Accuracy a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top1", a.top1Rate());
        m.put("top5", a.top5Rate());
        m.put("labelled", a.labelled());
        return m;
    }

    /**
     * The first and last scored layers with a precision block and the two with the lowest SQNR, each with why it
     * was chosen.
     */
    private static List<ValidationReport.LayerSample> histograms(Net net, Validation v, Map<String, float[]> samples) {
        List<Validation.LayerError> withRange = new ArrayList<>();
        for (Validation.LayerError e : v.layers()) {
            if (samples.containsKey(e.name()) && range(net.layer(e.name())) > 0) {
                withRange.add(e);
            }
        }
        if (withRange.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> why = new LinkedHashMap<>();
        why.computeIfAbsent(withRange.get(0).name(), k -> new ArrayList<>())
                .add("first layer with a fixed-point range");
        List<String> lowest = withRange.stream().sorted(Comparator.comparingDouble(Validation.LayerError::sqnrDb))
                .limit(2).map(Validation.LayerError::name).toList();
        for (int i = 0; i < lowest.size(); i++) {
            why.computeIfAbsent(lowest.get(i), k -> new ArrayList<>())
                    .add(i == 0 ? "layer with the lowest SQNR" : "layer with the second-lowest SQNR");
        }
        why.computeIfAbsent(withRange.get(withRange.size() - 1).name(), k -> new ArrayList<>())
                .add("last layer with a fixed-point range");
        List<ValidationReport.LayerSample> out = new ArrayList<>();
        for (Validation.LayerError e : withRange) {
            if (why.containsKey(e.name())) {
                out.add(new ValidationReport.LayerSample(e.name(), samples.get(e.name()), range(net.layer(e.name())),
                        String.join(" and ", why.get(e.name()))));
            }
        }
        return out;
    }

    /** The largest magnitude a layer's output format holds, from its block; 0 without one. */
    private static double range(Layer layer) {
        if (!layer.param().hasPrecisionParam()) {
            return 0;
        }
        PrecisionParameter p = layer.param().getPrecisionParam();
        if (p.getQuantType().equals(XilinxScheme.QUANT_TYPE) || p.hasThLayerOut()) {
            return p.getThLayerOut();
        }
        return DynamicFixed.largestValue(p.getBwLayerOut(), p.getFlLayerOut());
    }
}
