package xportdnn.compare;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import java.util.function.ToDoubleFunction;
import xportdnn.validate.OutputSummary;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;
import xportdnn.validate.ValidationReport;

/**
 * A comparison as JSON and as a self-contained HTML page plotting top-1 (or, for another output, its agreement with
 * float or its SQNR) against model size.
 */
public final class CompareReport {

    private CompareReport() {
    }

    /**
     * {@code {"images", "calibration_images", "float": {...}, "schemes": [{"scheme", "top1", "top5",
     * "top1_drop_points", "top1_drop_ci95_points", "top1_agreement", "model_bytes",
     * "activation_footprint_bytes", "wrapped_average_images": {layer: images}, "output": {...}}]}}; rates as
     * fractions, drops in points. The top-1 keys are a classifier's only; "output" holds every net's output SQNR
     * and, for a detector or a dense output, its agreement with float ({@link OutputSummary#json}).
     */
    public static Map<String, Object> json(Comparison.Result r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("net", r.net());
        root.put("images", r.images());
        root.put("calibration_images", r.calibrationImages());
        if (!r.skipped().isEmpty()) {
            root.put("skipped_images", r.skipped());
        }
        boolean classifier = r.output().classifies();
        Map<String, Object> f = new LinkedHashMap<>();
        if (classifier) {
            f.put("top1", r.floatAccuracy().top1Rate());
            f.put("top5", r.floatAccuracy().top5Rate());
        }
        f.put("model_bytes", r.floatModelBytes());
        f.put("activation_footprint_bytes", r.floatFootprintBytes());
        root.put("float", f);
        List<Object> schemes = new ArrayList<>();
        for (Comparison.Scored s : r.schemes()) {
            Validation v = s.validation();
            Validation.TopOneDrop d = v.topOneDrop();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scheme", s.scheme());
            if (classifier) {
                m.put("top1", v.fixedAccuracy().top1Rate());
                m.put("top5", v.fixedAccuracy().top5Rate());
                m.put("top1_drop_points", 100 * d.drop());
                m.put("top1_drop_ci95_points", List.of(100 * d.low(), 100 * d.high()));
                m.put("top1_agreement", v.top1Agreement());
            }
            m.put("model_bytes", s.modelBytes());
            m.put("activation_footprint_bytes", s.footprintBytes());
            m.put("wrapped_average_images", v.wrappedAverages());
            m.put("output", OutputSummary.json(r.output(), v));
            schemes.add(m);
        }
        root.put("schemes", schemes);
        return root;
    }

    public static String html(Comparison.Result r, String table) {
        String title = r.net() + ": number schemes compared";
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + ValidationReport.escape(title)
                + "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                + "img{max-width:100%}</style></head><body>\n<h1>" + ValidationReport.escape(title) + "</h1>\n"
                + String.format(Locale.ROOT, "<p>%d images scored; calibrated once on %d images. Each point is a "
                        + "scheme: its %s against the bytes of its parameters; up and to the left is better.</p>\n",
                        r.images(), r.calibrationImages(), measure(r).description())
                + ValidationReport.image(chart(r)) + "<pre>" + ValidationReport.escape(table) + "</pre>\n"
                + "</body></html>\n";
    }

    /** What the chart's vertical axis shows: a classifier's top-1, else the output's agreement or SQNR. */
    private record Measure(String axis, String description, ToDoubleFunction<Validation> ofScheme, double ofFloat) {
    }

    private static Measure measure(Comparison.Result r) {
        ScoredOutput output = r.output();
        if (output.classifies()) {
            return new Measure("top-1 (%)", "top-1", v -> 100 * v.fixedAccuracy().top1Rate(),
                    100 * r.floatAccuracy().top1Rate());
        }
        if (output.kind() == ScoredOutput.Kind.VALUES) {
            return new Measure("output SQNR (dB)", "output SQNR", v -> v.outputError() == null ? Double.NaN
                    : v.outputError().sqnrDb(), Double.NaN);
        }
        return new Measure("agreement with float (%)", "agreement with float (" + OutputSummary.agreementMeaning(
                output) + ")", v -> 100 * OutputSummary.agreement(output, v), 100);
    }

    private static XYChart chart(Comparison.Result r) {
        Measure measure = measure(r);
        XYChart chart = new XYChartBuilder().width(900).height(520).title(measure.axis() + " against model size")
                .xAxisTitle("model bytes (parameters and scales)").yAxisTitle(measure.axis()).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(12);
        if (Double.isFinite(measure.ofFloat())) {
            chart.addSeries("float", new double[] {r.floatModelBytes()}, new double[] {measure.ofFloat()});
        }
        for (Comparison.Scored s : r.schemes()) {
            double y = measure.ofScheme().applyAsDouble(s.validation());
            if (Double.isFinite(y)) { // an exact output has no finite SQNR to draw
                chart.addSeries(s.scheme(), new double[] {s.modelBytes()}, new double[] {y});
            }
        }
        return chart;
    }
}
