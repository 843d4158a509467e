package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xportdnn.compare.CompareReport;
import xportdnn.compare.CompareSettings;
import xportdnn.compare.Comparison;
import xportdnn.compare.SchemeSpec;
import xportdnn.validate.DetectionAgreement;
import xportdnn.validate.OutputSummary;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;

/** {@code xportdnn compare}: the number schemes of the literature scored side by side on the user's own net. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Calibrates a float net once, then scores float and every scheme of --schemes on the same "
                + "labelled images with the fixed-point simulator: top-1/top-5, top-1 drop with its 95%% interval, "
                + "agreement with float, model bytes and activation footprint (one image).")
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelFiles model;

    @Option(names = "--images", required = true, paramLabel = "SET",
            description = "The labelled images to score: a folder, a val.txt-style list or an MNIST IDX file. When it "
                    + "is the calibration set, the calibration images are left out.")
    String images;

    @Mixin
    ScoredDraw scored;

    @Option(names = "--calibration_directory", required = true, paramLabel = "SET",
            description = "The calibration images (calibrated once, for every scheme).")
    String calibrationDirectory;

    @Mixin
    CalibrationDraw calibrationDraw;

    @Option(names = "--schemes", required = true, paramLabel = "LIST",
            description = "Comma-separated schemes, each FAMILY:BITS: xilinx:B (CHaiDNN's Xilinx mode, kl-j), "
                    + "dynamicfixed:B (DynamicFixed, formats per layer), naive:B (per-tensor max-scaled uniform), bfp:M (block floating point, M-bit mantissas, "
                    + "exponents per weight channel and per activation blob by minimum KL), aciq:B (ACIQ: Laplace "
                    + "clipping of activations, unsigned codes after a ReLU, per-channel weight widths averaging B, "
                    + "weight bias correction), f8net:8 (F8Net's 8-bit fixed point, shifts between layers).")
    String schemes;

    @Mixin
    PreprocessingOptions preprocessing;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the table as JSON.")
    Path json;

    @Option(names = "--report", paramLabel = "HTML",
            description = "Write a self-contained HTML page plotting top-1 against model bytes, one point per scheme.")
    Path report;

    @Mixin
    SkipBadImagesOption skipBadImages;

    @Mixin
    QuietOption quiet;

    @Mixin
    SparkOption spark;

    @Override
    public Integer call() {
        var given = spec.commandLine().getParseResult();
        calibrationDraw.check(given);
        scored.check(given);
        List<SchemeSpec> list = SchemeSpec.parseList(schemes);
        CompareSettings settings = new CompareSettings(model.deployModel, model.weights, images, scored.labels,
                scored.count, scored.seed,
                calibrationDraw.settings(calibrationDirectory, batch, preprocessing.flags(), skipBadImages.skip),
                list, batch);
        JsonAndHtml outputs = new JsonAndHtml(json, report);
        Comparison.Result result = spark.run(passes -> Comparison.run(settings, passes, quiet.progress(),
                outputs::check));
        new Notes(spec.commandLine().getErr()).print(result.notices());
        new Notes(spec.commandLine().getErr()).warn(result.schemes().get(0).validation().floatLabelCheck().warning());
        scored.noteShortSet(spec.commandLine().getErr(), result.images() + result.skipped().size());
        String table = table(result);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s: %d images scored, calibrated on %d%n", result.net(), result.images(),
                result.calibrationImages());
        out.print(table);
        for (Comparison.Scored s : result.schemes()) {
            s.validation().wrappedAverageNotes().forEach(note -> out.println(s.scheme() + ": " + note));
        }
        out.flush();
        outputs.write(() -> CompareReport.json(result), () -> CompareReport.html(result, table));
        return 0;
    }

    static String table(Comparison.Result r) {
        return r.output().classifies() ? classifierTable(r) : outputTable(r);
    }

    /**
     * For an output that is not class scores: each scheme's agreement with float as its kind measures it, beside
     * the output's SQNR, or for a detector the detections matched and the average precision against float.
     */
    private static String outputTable(Comparison.Result r) {
        boolean detections = r.output().kind() == ScoredOutput.Kind.DETECTIONS;
        TextTable t = new TextTable(outputRow(detections, "scheme",
                detections ? ">matched of float (fixed)" : ">output SQNR (dB)", ">agreement", ">AP", ">model bytes",
                ">footprint"));
        t.add(outputRow(detections, "float", "", "", "", String.format("%,d", r.floatModelBytes()),
                String.format("%,d", r.floatFootprintBytes())));
        for (Comparison.Scored s : r.schemes()) {
            Validation v = s.validation();
            t.add(outputRow(detections, s.scheme(), detections ? matched(v.detections()) : sqnr(v.outputError()),
                    percent(OutputSummary.agreement(r.output(), v)), averagePrecision(v.detections()),
                    String.format("%,d", s.modelBytes()), String.format("%,d", s.footprintBytes())));
        }
        String legend = "agreement: " + OutputSummary.agreementMeaning(r.output()) + "\n";
        return t.render() + legend + (detections ? "AP: the average precision of the fixed-point detections at any "
                + "confidence against float's above " + DetectionAgreement.CONFIDENCE + "\n" : "");
    }

    /** A row of {@link #outputTable}: its AP column only for a detector. */
    private static String[] outputRow(boolean detections, String scheme, String measure, String agreement,
            String averagePrecision, String bytes, String footprint) {
        return detections ? new String[] {scheme, measure, agreement, averagePrecision, bytes, footprint}
                : new String[] {scheme, measure, agreement, bytes, footprint};
    }

    private static String averagePrecision(DetectionAgreement d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d.averagePrecision());
    }

    private static String matched(DetectionAgreement d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%d of %d (%d)", d.matched(), d.floatDetections(),
                d.fixedDetections());
    }

    private static String sqnr(Validation.LayerError e) {
        return e == null ? "-" : Double.isFinite(e.sqnrDb()) ? String.format(Locale.ROOT, "%.2f", e.sqnrDb())
                : "exact";
    }

    private static String classifierTable(Comparison.Result r) {
        TextTable t = new TextTable("scheme", ">top-1", ">top-5", ">drop (95% interval)", ">agreement",
                ">model bytes", ">footprint");
        Validation.Accuracy f = r.floatAccuracy();
        t.add("float", percent(f.top1Rate()), percent(f.top5Rate()), "", "", String.format("%,d", r.floatModelBytes()),
                String.format("%,d", r.floatFootprintBytes()));
        for (Comparison.Scored s : r.schemes()) {
            Validation v = s.validation();
            Validation.TopOneDrop d = v.topOneDrop();
            t.add(s.scheme(), percent(v.fixedAccuracy().top1Rate()), percent(v.fixedAccuracy().top5Rate()),
                    d.labelled() == 0 ? "-" : String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", 100 * d.drop(),
                            100 * d.low(), 100 * d.high()),
                    percent(v.top1Agreement()), String.format("%,d", s.modelBytes()),
                    String.format("%,d", s.footprintBytes()));
        }
        return t.render();
    }

    private static String percent(double rate) {
        return Double.isFinite(rate) ? String.format(Locale.ROOT, "%.2f%%", 100 * rate) : "-";
    }
}
